package io.github.tornadollava.llama;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.TensorLoader;
import io.github.tornadollava.kernels.cpu.WeightMatrix;

/**
 * The tensors of a LLaMA decoder in llama.cpp's GGUF naming. Matrices stay in the memory-mapped
 * file (in whatever ggml format they were stored); only the small norm vectors are copied to the
 * heap. Every shape is checked at load time against the {@link LlamaConfig}.
 *
 * @param tokenEmbedding token_embd.weight, vocab rows of dim
 * @param layers         the transformer blocks in order
 * @param outputNorm     output_norm.weight (dim)
 * @param output         output.weight (vocab rows of dim), or token_embd.weight when the file ties them
 */
public record LlamaWeights(WeightMatrix tokenEmbedding, Layer[] layers, float[] outputNorm, WeightMatrix output) {

    /** One block: y = x + Wo·attn(RMSNorm(x)); out = y + Wdown·(silu(Wgate·n) * Wup·n), n = RMSNorm(y). */
    public record Layer(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                        float[] ffnNorm, WeightMatrix wGate, WeightMatrix wUp, WeightMatrix wDown) {
    }

    /** Loads the weights of {@code file}, which must match {@code c}; errors name the file and tensor. */
    public static LlamaWeights load(GGUFFile file, LlamaConfig c) {
        TensorLoader t = new TensorLoader(file);
        Layer[] layers = new Layer[c.nLayers()];
        for (int i = 0; i < layers.length; i++) {
            String b = "blk." + i + ".";
            layers[i] = new Layer(
                    t.vector(b + "attn_norm.weight", c.dim()),
                    t.matrix(b + "attn_q.weight", c.qDim(), c.dim()),
                    t.matrix(b + "attn_k.weight", c.kvDim(), c.dim()),
                    t.matrix(b + "attn_v.weight", c.kvDim(), c.dim()),
                    t.matrix(b + "attn_output.weight", c.dim(), c.qDim()),
                    t.vector(b + "ffn_norm.weight", c.dim()),
                    t.matrix(b + "ffn_gate.weight", c.hiddenDim(), c.dim()),
                    t.matrix(b + "ffn_up.weight", c.hiddenDim(), c.dim()),
                    t.matrix(b + "ffn_down.weight", c.dim(), c.hiddenDim()));
        }
        WeightMatrix embedding = t.matrix("token_embd.weight", c.vocabSize(), c.dim());
        // Checkpoints with tied embeddings (no output.weight) reuse the embedding matrix as the head.
        WeightMatrix output = t.has("output.weight") ? t.matrix("output.weight", c.vocabSize(), c.dim()) : embedding;
        return new LlamaWeights(embedding, layers, t.vector("output_norm.weight", c.dim()), output);
    }

    /** True when the output head is the token embedding matrix. */
    public boolean tied() {
        return output == tokenEmbedding;
    }
}
