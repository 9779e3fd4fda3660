package io.github.tornadollava.llama;

import io.github.tornadollava.gguf.GGUFException;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.GGUFTensorInfo;

/**
 * Hyper-parameters of a LLaMA-architecture decoder (LLaMA 1/2, Vicuna, the LLaVA-1.5 language
 * model), read from GGUF metadata the way llama.cpp reads them.
 *
 * @param dim           embedding width (llama.embedding_length)
 * @param nLayers       transformer blocks (llama.block_count)
 * @param nHeads        query heads (llama.attention.head_count)
 * @param nKvHeads      key/value heads (llama.attention.head_count_kv; fewer than nHeads = GQA)
 * @param headDim       width of one head (llama.attention.key_length, default dim / nHeads)
 * @param hiddenDim     SiLU-gated FFN width (llama.feed_forward_length)
 * @param contextLength trained context (llama.context_length): the largest usable KV cache
 * @param rmsEps        RMSNorm epsilon (llama.attention.layer_norm_rms_epsilon)
 * @param ropeBase      RoPE frequency base (llama.rope.freq_base, default 10000)
 * @param ropeDim       leading dimensions of each head that are rotated (llama.rope.dimension_count)
 * @param ropeScale     linear RoPE scaling factor: positions are divided by it (1 = none)
 * @param vocabSize     rows of token_embd.weight
 */
public record LlamaConfig(int dim, int nLayers, int nHeads, int nKvHeads, int headDim, int hiddenDim,
                          int contextLength, float rmsEps, float ropeBase, int ropeDim, float ropeScale,
                          int vocabSize) {

    public static final String ARCHITECTURE = "llama";

    public LlamaConfig {
        require(dim > 0 && nLayers > 0 && nHeads > 0 && nKvHeads > 0 && headDim > 0 && hiddenDim > 0
                && contextLength > 0 && vocabSize > 0, "all sizes must be positive: " + sizes(dim, nLayers, nHeads,
                nKvHeads, headDim, hiddenDim, contextLength, vocabSize));
        require(nHeads % nKvHeads == 0, "head_count " + nHeads + " is not a multiple of head_count_kv " + nKvHeads);
        require(ropeDim > 0 && ropeDim % 2 == 0 && ropeDim <= headDim,
                "rope dimension " + ropeDim + " must be even and in 2.." + headDim + " (the head width)");
        require(rmsEps > 0 && Float.isFinite(rmsEps), "layer_norm_rms_epsilon must be positive, got " + rmsEps);
        require(ropeBase > 0 && Float.isFinite(ropeBase), "rope.freq_base must be positive, got " + ropeBase);
        require(ropeScale > 0 && Float.isFinite(ropeScale), "rope scaling factor must be positive, got " + ropeScale);
    }

    /** Width of all query heads together (= dim for every LLaMA/Vicuna checkpoint). */
    public int qDim() {
        return nHeads * headDim;
    }

    /** Width of the keys (and values) of one position. */
    public int kvDim() {
        return nKvHeads * headDim;
    }

    /** Query heads that share one key/value head. */
    public int kvGroup() {
        return nHeads / nKvHeads;
    }

    /** Reads and validates the configuration; any problem is a {@link GGUFException} naming the file. */
    public static LlamaConfig from(GGUFFile f) {
        String arch = f.getString("general.architecture", null);
        if (!ARCHITECTURE.equals(arch)) {
            throw new GGUFException(f.path(), arch == null
                    ? "no general.architecture key: not a language model GGUF"
                    : "general.architecture is '" + arch + "', expected '" + ARCHITECTURE + "' (a LLaMA/Vicuna language model)");
        }
        String p = ARCHITECTURE + ".";
        int dim = f.getInt(p + "embedding_length");
        int nHeads = f.getInt(p + "attention.head_count");
        int nKvHeads = f.getInt(p + "attention.head_count_kv", nHeads);
        if (nHeads <= 0 || dim % nHeads != 0 && !f.has(p + "attention.key_length")) {
            throw new GGUFException(f.path(), "embedding_length " + dim + " is not a multiple of head_count " + nHeads);
        }
        int headDim = f.getInt(p + "attention.key_length", nHeads > 0 ? dim / nHeads : 0);
        int valueDim = f.getInt(p + "attention.value_length", headDim);
        if (valueDim != headDim) {
            throw new GGUFException(f.path(), "attention.value_length " + valueDim + " differs from key_length " + headDim
                    + ", which LLaMA models never do");
        }
        GGUFTensorInfo embd = f.tensor("token_embd.weight");
        if (embd.dims() != 2 || embd.ne(0) != dim || embd.ne(1) > Integer.MAX_VALUE) {
            throw new GGUFException(f.path(), "token_embd.weight has shape " + embd.shapeString() + ", expected [" + dim + ", n_vocab]");
        }
        try {
            return new LlamaConfig(dim,
                    f.getInt(p + "block_count"),
                    nHeads,
                    nKvHeads,
                    headDim,
                    f.getInt(p + "feed_forward_length"),
                    f.getInt(p + "context_length"),
                    f.getFloat(p + "attention.layer_norm_rms_epsilon"),
                    f.getFloat(p + "rope.freq_base", 10000f),
                    f.getInt(p + "rope.dimension_count", headDim),
                    ropeScale(f, p),
                    (int) embd.ne(1));
        } catch (IllegalArgumentException e) {
            throw new GGUFException(f.path(), e.getMessage(), e);
        }
    }

    /**
     * llama.cpp's reading of RoPE scaling: the type defaults to linear, a factor of 0 means none,
     * and old files store the factor as rope.scale_linear. Only linear scaling is implemented, so
     * YaRN/LongRoPE files are refused rather than producing garbage.
     */
    private static float ropeScale(GGUFFile f, String p) {
        String type = f.getString(p + "rope.scaling.type", "linear");
        float factor = f.has(p + "rope.scaling.factor")
                ? f.getFloat(p + "rope.scaling.factor")
                : f.getFloat(p + "rope.scale_linear", 1f);
        switch (type) {
            case "none":
                return 1f;
            case "linear":
                return factor == 0f ? 1f : factor;
            default:
                throw new GGUFException(f.path(), "rope.scaling.type '" + type + "' is not supported (only 'none' and 'linear' are)");
        }
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static String sizes(int dim, int nLayers, int nHeads, int nKvHeads, int headDim, int hiddenDim,
                                int contextLength, int vocabSize) {
        return "dim=" + dim + " layers=" + nLayers + " heads=" + nHeads + " kv_heads=" + nKvHeads + " head_dim=" + headDim
                + " ff=" + hiddenDim + " context=" + contextLength + " vocab=" + vocabSize;
    }
}
