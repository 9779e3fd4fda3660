package io.github.tornadollava.llama;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.kernels.cpu.Activations;
import io.github.tornadollava.kernels.cpu.CausalAttention;
import io.github.tornadollava.kernels.cpu.KVCache;
import io.github.tornadollava.kernels.cpu.Norms;
import io.github.tornadollava.kernels.cpu.Parallel;
import io.github.tornadollava.kernels.cpu.Rope;
import io.github.tornadollava.kernels.cpu.WeightMatrix;
import io.github.tornadollava.kernels.format.ActivationType;
import io.github.tornadollava.kernels.format.QuantizedActivations;

/**
 * The LLaMA decoder on the CPU: pre-norm transformer blocks with RMSNorm, RoPE on adjacent pairs
 * (llama.cpp's LLAMA rope type, for which GGUF q/k weights are already permuted), grouped-query
 * causal attention over a float32 off-heap {@link KVCache}, a SiLU-gated FFN, and the output head.
 *
 * <p>Rows are processed in batches: during prefill every weight matrix is multiplied with the
 * whole batch at once ({@link WeightMatrix#matmul}, each weight row decoded once per batch); a
 * single row (decode) uses {@link WeightMatrix#matvec}. All scratch memory is allocated here, once,
 * for {@code maxBatch} rows, so the per-token loop allocates nothing. Not thread-safe: one
 * generation at a time.
 */
public final class LlamaDecoder implements LanguageModel {

    /** Rows per prefill batch; longer inputs are cut into batches of this size. */
    public static final int DEFAULT_MAX_BATCH = 512;
    /** Fewest weight rows per chunk of a parallel matvec. */
    private static final int MATVEC_GRAIN = 16;
    /**
     * Decode multiplies quantized weights with activations quantized as llama.cpp quantizes them
     * ({@link QuantizedActivations}: its numbers, within the golden data's llama.cpp tolerance, and
     * integer kernels); this system property, or {@code exactActivations}, keeps them float
     * instead (the float reference's numbers, ~2e-2 away from llama.cpp's, slower).
     */
    public static final String EXACT_ACTIVATIONS = "llava.cpu.exactActivations";

    private final LlamaConfig c;
    private final LlamaWeights w;
    private final KVCache cache;
    private final int maxBatch;
    private final AutoCloseable resource;

    // Per-batch activations, row-major, maxBatch rows each.
    private final float[] x;    // residual stream, dim per row
    private final float[] xb;   // normalized input of a sub-block, dim per row
    private final float[] xb2;  // output of a sub-block before the residual add, dim per row
    private final float[] q;    // queries, qDim per row
    private final float[] k;    // keys, kvDim per row
    private final float[] v;    // values, kvDim per row
    private final float[] att;  // attention output (heads concatenated), qDim per row
    private final float[] hb;   // FFN gate, then silu(gate) * up, hiddenDim per row
    private final float[] hb2;  // FFN up, hiddenDim per row
    private final float[] logits;

    private final float[] scores;       // one attention-score row of `capacity` per head (decode)
    private final double[] ropeInvFreq; // base^(-2i/ropeDim)
    private final float[] ropeCos;
    private final float[] ropeSin;
    private final float attentionScale;

    // Arguments of the parallel loop bodies below; the bodies are fields so no lambda is allocated per call.
    private int curLayer;
    private int curPos0;
    private float[] curNormWeight;
    private final Parallel.RangeBody attentionBody = this::attentionItems;
    private final Parallel.RangeBody normBody = this::normRows;
    private final Parallel.RangeBody siluBody = this::siluRange;
    // Decode (one row) fuses matrices that read the same input into one parallel loop, and the
    // residual add or SiLU into the loop producing their input: ~5 loops per layer instead of ~9,
    // each loop's start and end being a synchronization of all threads.
    private LlamaWeights.Layer curWeights;
    private WeightMatrix curMatrix;
    private float[] curInput;
    private final QuantizedActivations xq;  // the input of the current decode matvec, quantized; null when off
    private final float[] batchInput;       // a prefill matmul's input, quantized and dequantized; null when off
    private ActivationType batchInputType;  // the conversion batchInput holds of the last matmul's input; null when that one had none
    private final Parallel.RangeBody headBody = this::headRows;
    private final Parallel.RangeBody qkvBody = this::qkvRows;
    private final Parallel.RangeBody gateUpBody = this::gateUpRows;
    private final Parallel.RangeBody residualBody = this::residualRows;

    /**
     * A decoder over already loaded weights.
     *
     * @param contextSize positions the KV cache holds, 1..config.contextLength
     * @param maxBatch    rows per prefill batch (scratch memory grows with it)
     * @param resource    closed by {@link #close()} (the GGUF file owning the weights), or null
     */
    public LlamaDecoder(LlamaConfig config, LlamaWeights weights, int contextSize, int maxBatch, AutoCloseable resource) {
        this(config, weights, contextSize, maxBatch, Boolean.getBoolean(EXACT_ACTIVATIONS), resource);
    }

    /**
     * As {@link #LlamaDecoder(LlamaConfig, LlamaWeights, int, int, AutoCloseable)}, choosing
     * float ({@code exactActivations}) or llama.cpp's quantized activations for decode.
     */
    public LlamaDecoder(LlamaConfig config, LlamaWeights weights, int contextSize, int maxBatch,
            boolean exactActivations, AutoCloseable resource) {
        if (contextSize < 1 || contextSize > config.contextLength()) {
            throw new IllegalArgumentException("context size " + contextSize + " must be in 1.." + config.contextLength()
                    + " (the model's context_length)");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be >= 1, got " + maxBatch);
        }
        this.c = config;
        this.w = weights;
        this.maxBatch = Math.min(maxBatch, contextSize);
        this.resource = resource;
        this.cache = new KVCache(config.nLayers(), config.nKvHeads(), config.headDim(), contextSize);
        int rows = this.maxBatch;
        this.x = new float[rows * c.dim()];
        this.xb = new float[rows * c.dim()];
        this.xb2 = new float[rows * c.dim()];
        this.q = new float[rows * c.qDim()];
        this.k = new float[rows * c.kvDim()];
        this.v = new float[rows * c.kvDim()];
        this.att = new float[rows * c.qDim()];
        this.hb = new float[Math.multiplyExact(rows, c.hiddenDim())];
        this.hb2 = new float[Math.multiplyExact(rows, c.hiddenDim())];
        this.logits = new float[c.vocabSize()];
        this.scores = new float[Math.multiplyExact(c.nHeads(), contextSize)];
        this.ropeInvFreq = Rope.inverseFrequencies(c.ropeBase(), c.ropeDim());
        this.ropeCos = new float[ropeInvFreq.length];
        this.ropeSin = new float[ropeInvFreq.length];
        this.attentionScale = (float) (1.0 / Math.sqrt(c.headDim()));
        this.xq = exactActivations ? null : quantizedActivations(config, weights);
        this.batchInput = xq == null ? null
                : new float[Math.multiplyExact(rows, Math.max(Math.max(c.dim(), c.qDim()), c.hiddenDim()))];
    }

    /**
     * The buffer for the decode matvecs' quantized input, with the forms the weights' formats ask
     * for; null (float activations) when no matrix is quantized.
     */
    private static QuantizedActivations quantizedActivations(LlamaConfig c, LlamaWeights w) {
        boolean q8 = false;
        boolean k = false;
        for (WeightMatrix m : decodeMatrices(w)) {
            ActivationType t = m.format().activationType();
            q8 |= t != ActivationType.FLOAT;
            k |= t == ActivationType.Q8_K;
        }
        int widest = Math.max(Math.max(c.dim(), c.qDim()), c.hiddenDim());
        boolean blocks = c.dim() % QuantizedActivations.BLOCK == 0 && c.qDim() % QuantizedActivations.BLOCK == 0
                && c.hiddenDim() % QuantizedActivations.BLOCK == 0;
        return q8 && blocks ? new QuantizedActivations(widest, k) : null;
    }

    private static List<WeightMatrix> decodeMatrices(LlamaWeights w) {
        List<WeightMatrix> out = new ArrayList<>();
        for (LlamaWeights.Layer l : w.layers()) {
            out.addAll(List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.wGate(), l.wUp(), l.wDown()));
        }
        out.add(w.output());
        return out;
    }

    /** True when decode multiplies with quantized activations (llama.cpp's way), false when with floats. */
    public boolean quantizesActivations() {
        return xq != null;
    }

    /** Opens a LLaMA GGUF with a KV cache of {@code contextSize} positions; closing the decoder closes the file. */
    public static LlamaDecoder open(Path gguf, int contextSize) {
        return open(gguf, config -> contextSize, Boolean.getBoolean(EXACT_ACTIVATIONS));
    }

    /**
     * Opens a LLaMA GGUF with a KV cache of {@code contextSize} positions and float
     * ({@code exactActivations}) or llama.cpp's quantized activations for decode.
     */
    public static LlamaDecoder open(Path gguf, int contextSize, boolean exactActivations) {
        return open(gguf, config -> contextSize, exactActivations);
    }

    /** Opens a LLaMA GGUF with a KV cache of the model's full context length. */
    public static LlamaDecoder open(Path gguf) {
        return open(gguf, LlamaConfig::contextLength, Boolean.getBoolean(EXACT_ACTIVATIONS));
    }

    private static LlamaDecoder open(Path gguf, ToIntFunction<LlamaConfig> contextSize, boolean exactActivations) {
        GGUFFile file = GGUFFile.open(gguf);
        try {
            LlamaConfig config = LlamaConfig.from(file);
            return new LlamaDecoder(config, LlamaWeights.load(file, config), contextSize.applyAsInt(config), DEFAULT_MAX_BATCH,
                    exactActivations, file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    @Override
    public LlamaConfig config() {
        return c;
    }

    public LlamaWeights weights() {
        return w;
    }

    @Override
    public int contextSize() {
        return cache.capacity();
    }

    @Override
    public int position() {
        return cache.position();
    }

    @Override
    public void truncate(int nPositions) {
        if (nPositions < 0 || nPositions > cache.position()) {
            throw new IllegalArgumentException("cannot truncate to " + nPositions + " positions: the cache holds " + cache.position());
        }
        cache.setPosition(nPositions);
    }

    @Override
    public void embed(int token, float[] out, int offset) {
        if (token < 0 || token >= c.vocabSize()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary 0.." + (c.vocabSize() - 1));
        }
        w.tokenEmbedding().dequantizeRow(token, out, offset);
    }

    @Override
    public float[] forward(float[] embeddings, int nTokens, int startPos) {
        int dim = c.dim();
        if (nTokens < 1) {
            throw new IllegalArgumentException("forward needs at least one row, got " + nTokens);
        }
        if (startPos < 0 || startPos > cache.position()) {
            throw new IllegalArgumentException("start position " + startPos + " is not in 0.." + cache.position()
                    + " (the positions cached so far)");
        }
        if ((long) startPos + nTokens > cache.capacity()) {
            throw new IllegalArgumentException("context overflow: " + startPos + " cached + " + nTokens + " new positions = "
                    + ((long) startPos + nTokens) + " > context size " + cache.capacity());
        }
        if (embeddings.length < (long) nTokens * dim) {
            throw new IllegalArgumentException("embeddings hold " + embeddings.length + " floats, " + nTokens + " rows of "
                    + dim + " need " + (long) nTokens * dim);
        }
        cache.setPosition(startPos);
        int rows = 0;
        for (int done = 0; done < nTokens; done += rows) {
            rows = Math.min(maxBatch, nTokens - done);
            System.arraycopy(embeddings, done * dim, x, 0, rows * dim);
            for (int l = 0; l < c.nLayers(); l++) {
                layer(l, rows, startPos + done);
            }
            cache.setPosition(startPos + done + rows);
        }
        // Only the last row's logits are needed: norm it alone and run the head as a matvec.
        Norms.rmsnorm(xb, 0, x, (rows - 1) * dim, w.outputNorm(), dim, c.rmsEps());
        if (xq != null) {
            quantizeInput(xb, dim);
            Parallel.forRange(c.vocabSize(), MATVEC_GRAIN, headBody);
        } else {
            w.output().matvec(xb, 0, logits, 0);
        }
        return logits;
    }

    /** One transformer block over the {@code rows} rows of {@link #x} at positions pos0.. */
    private void layer(int l, int rows, int pos0) {
        LlamaWeights.Layer lw = w.layers()[l];
        int dim = c.dim();

        curWeights = lw;
        rmsnormRows(lw.attnNorm(), rows);
        if (rows == 1) {
            quantizeInput(xb, c.dim());
            Parallel.forRange(c.qDim() + 2 * c.kvDim(), MATVEC_GRAIN, qkvBody);
        } else {
            linear(lw.wq(), xb, q, rows);
            linearSameInput(lw.wk(), xb, k, rows);
            linearSameInput(lw.wv(), xb, v, rows);
        }
        for (int i = 0; i < rows; i++) {
            int pos = pos0 + i;
            Rope.angles(pos / (double) c.ropeScale(), ropeInvFreq, ropeCos, ropeSin);
            Rope.rotate(q, i * c.qDim(), c.nHeads(), c.headDim(), ropeCos, ropeSin);
            Rope.rotate(k, i * c.kvDim(), c.nKvHeads(), c.headDim(), ropeCos, ropeSin);
            cache.store(l, pos, k, i * c.kvDim(), v, i * c.kvDim());
        }
        if (rows == 1) {
            curLayer = l;
            curPos0 = pos0;
            Parallel.forRange(c.nHeads(), 1, attentionBody);
        } else {
            CausalAttention.forward(cache, l, q, att, rows, pos0, c.nHeads(), c.kvGroup(), attentionScale);
        }
        residual(lw.wo(), att, rows);

        rmsnormRows(lw.ffnNorm(), rows);
        if (rows == 1) {
            quantizeInput(xb, c.dim());
            Parallel.forRange(c.hiddenDim(), MATVEC_GRAIN, gateUpBody);
        } else {
            linear(lw.wGate(), xb, hb, rows);
            linearSameInput(lw.wUp(), xb, hb2, rows);
            Parallel.forRange(rows * c.hiddenDim(), 4096, siluBody);
        }
        residual(lw.wDown(), hb, rows);
    }

    /** {@code x += W in} over {@code rows} rows (the residual add after attention and FFN). */
    private void residual(WeightMatrix weight, float[] in, int rows) {
        if (rows == 1) {
            curMatrix = weight;
            curInput = in;
            quantizeInput(in, weight.cols());
            Parallel.forRange(weight.rows(), MATVEC_GRAIN, residualBody);
        } else {
            weight.matmul(batchInput(weight, in, rows, false), rows, xb2);
            Vectors.add(x, xb2, rows * c.dim());
        }
    }

    private void quantizeInput(float[] in, int n) {
        if (xq != null) {
            xq.quantize(in, 0, n);
        }
    }

    /** Rows [start, end) of {@code weight} times the current decode input, quantized or not. */
    private void rowsOf(WeightMatrix weight, int start, int end, float[] in, float[] out) {
        if (xq != null) {
            weight.matvecRows(start, end, xq, out, 0);
        } else {
            weight.matvecRows(start, end, in, 0, out, 0);
        }
    }

    private void headRows(int start, int end) {
        rowsOf(w.output(), start, end, xb, logits);
    }

    /** Rows [start, end) of q, k and v stacked, for one decoded row. */
    private void qkvRows(int start, int end) {
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        LlamaWeights.Layer lw = curWeights;
        if (start < qDim) {
            rowsOf(lw.wq(), start, Math.min(end, qDim), xb, q);
        }
        if (end > qDim && start < qDim + kvDim) {
            rowsOf(lw.wk(), Math.max(start, qDim) - qDim, Math.min(end, qDim + kvDim) - qDim, xb, k);
        }
        if (end > qDim + kvDim) {
            rowsOf(lw.wv(), Math.max(start, qDim + kvDim) - qDim - kvDim, end - qDim - kvDim, xb, v);
        }
    }

    /** hb[start..end) = silu(gate) * up, for one decoded row. */
    private void gateUpRows(int start, int end) {
        rowsOf(curWeights.wGate(), start, end, xb, hb);
        rowsOf(curWeights.wUp(), start, end, xb, hb2);
        Activations.siluMul(hb, start, hb2, start, end - start);
    }

    /** x[start..end) += rows [start, end) of curMatrix times curInput, for one decoded row. */
    private void residualRows(int start, int end) {
        rowsOf(curMatrix, start, end, curInput, xb2);
        for (int i = start; i < end; i++) {
            x[i] += xb2[i];
        }
    }

    /** {@code out = W in} for {@code rows > 1} rows (prefill): a batched matmul. */
    private void linear(WeightMatrix weight, float[] in, float[] out, int rows) {
        weight.matmul(batchInput(weight, in, rows, false), rows, out);
    }

    /** As {@link #linear}, for a matrix reading the same {@code in} as the one before it (k and v after q, up after gate). */
    private void linearSameInput(WeightMatrix weight, float[] in, float[] out, int rows) {
        weight.matmul(batchInput(weight, in, rows, true), rows, out);
    }

    /**
     * The input of a prefill matmul with the values llama.cpp would multiply: each row quantized
     * to the weight format's activation type and dequantized again (the matmul kernels are float;
     * the sums equal the integer ones up to rounding), or {@code in} itself when activations stay
     * float. Rows are converted in parallel; with {@code sameInput} (the caller's matmul reads the
     * same input as the one before it) the previous conversion is reused when it was to the same type.
     */
    private float[] batchInput(WeightMatrix weight, float[] in, int rows, boolean sameInput) {
        ActivationType t = weight.format().activationType();
        if (xq == null || t == ActivationType.FLOAT) {
            batchInputType = null; // batchInput no longer holds a conversion of the current input
            return in;
        }
        if (sameInput && batchInputType == t) {
            return batchInput;
        }
        int n = weight.cols();
        Parallel.forRange(rows, 4, (start, end) -> {
            for (int i = start; i < end; i++) {
                QuantizedActivations.roundTrip(t, in, i * n, n, batchInput, i * n);
            }
        });
        batchInputType = t;
        return batchInput;
    }

    private void rmsnormRows(float[] weight, int rows) {
        curNormWeight = weight;
        Parallel.forRange(rows, 8, normBody);
    }

    private void normRows(int start, int end) {
        int dim = c.dim();
        for (int i = start; i < end; i++) {
            Norms.rmsnorm(xb, i * dim, x, i * dim, curNormWeight, dim, c.rmsEps());
        }
    }

    private void siluRange(int start, int end) {
        Activations.siluMul(hb, start, hb2, start, end - start);
    }

    /** Decode's attention for heads [start, end): the one row at position pos0 attends to cache positions 0..pos0. */
    private void attentionItems(int start, int end) {
        int headDim = c.headDim();
        for (int h = start; h < end; h++) {
            cache.attend(curLayer, h / c.kvGroup(), q, h * headDim, curPos0 + 1, attentionScale, scores, h * cache.capacity(), att);
        }
    }

    @Override
    public void close() {
        cache.close();
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the model's weights failed", e);
            }
        }
    }
}
