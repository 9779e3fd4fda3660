package io.github.tornadollava.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.github.tornadollava.config.WorkGroupSizes;
import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.llama.LlamaConfig;
import io.github.tornadollava.llama.LlamaDecoder;
import io.github.tornadollava.llama.LlamaWeights;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The LLaMA decoder on a TornadoVM device, with the math of {@link LlamaDecoder}: weights are
 * uploaded once, the KV cache and all activations live on the device, and per call only the
 * input embedding rows go up and the logits of the last row come down.
 *
 * <p>Prefill runs batches of up to {@code maxBatch} rows through the per-layer prefill graphs
 * (tiled mat-mul kernels, each weight tile reused across the batch); a single row runs through
 * the decode graphs (mat-vec kernels, the preceding RMSNorm fused in). See {@link DecoderGraphs}
 * for the graphs and how they hand buffers along. Not thread-safe: one generation at a time.
 */
public final class TornadoDecoder implements LanguageModel {

    private final LlamaConfig c;
    private final LlamaWeights hostWeights;
    private final DecoderState s;
    private final LaunchGrids grids;
    private final GraphPlan plan;
    private final float[] logits;
    private int position;

    /**
     * Uploads {@code weights} and builds (and compiles, on a first run) the task graphs.
     *
     * @param hostWeights the memory-mapped weights; only the token embedding is read after loading
     * @param device      the TornadoVM device to run on
     * @param profile     collects TornadoVM's profiler figures, or null
     * @param label       names the model in messages (its file)
     */
    TornadoDecoder(LlamaConfig config, LlamaWeights hostWeights, int contextSize, int maxBatch, TornadoDevice device, WorkGroupSizes sizes,
            DeviceProfile profile, Backend.LoadListener progress, String label) {
        if (contextSize < 1 || contextSize > config.contextLength()) {
            throw new IllegalArgumentException("context size " + contextSize + " must be in 1.." + config.contextLength()
                    + " (the model's context_length)");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be >= 1, got " + maxBatch);
        }
        this.c = config;
        this.hostWeights = hostWeights;
        int steps = c.nLayers() + 2 * c.nLayers() + 1;
        DeviceMatrices.Conversions conversions = new DeviceMatrices.Conversions();
        DeviceLlamaWeights weights = DeviceLlamaWeights.of(hostWeights, conversions, progress, steps);
        if (!conversions.isEmpty()) {
            System.err.println("tornado: " + label + ": converted for the device (no kernel reads these formats): " + conversions
                    + (conversions.toString().contains("Q8_0") ? " (re-quantized from the dequantized weights as ggml's quantize_row_q8_0)" : ""));
        }
        this.s = new DecoderState(config, contextSize, Math.min(maxBatch, contextSize));
        this.grids = new LaunchGrids(sizes);
        this.plan = new GraphPlan(DecoderGraphs.build(config, weights, s, grids), grids.scheduler(), device, profile);
        this.logits = new float[c.vocabSize()];
        try {
            link(progress, c.nLayers(), steps);
        } catch (RuntimeException e) {
            plan.close();
            throw e;
        }
    }

    /**
     * The first run of every graph, in the one order in which each {@code decode<l>} follows
     * {@code prefill<l>} and so receives that layer's weights (see {@link DecoderGraphs}). It
     * uploads the weights, compiles the kernels and computes on one zero row at position 0,
     * which the first real call overwrites.
     */
    private void link(Backend.LoadListener progress, int done, int steps) {
        for (int t = 0; t < s.maxBatch; t++) {
            s.positions.set(t, t == 0 ? 0 : s.scratchPosition(t));
        }
        s.decodePosition.set(0, 0);
        s.lastRow.set(0, 0);
        grids.resizeBatch(1);
        for (int l = 0; l < c.nLayers(); l++) {
            plan.warmUp(DecoderGraphs.prefill(l));
            progress.loaded(++done, steps);
            plan.warmUp(DecoderGraphs.decode(l));
            progress.loaded(++done, steps);
        }
        plan.warmUp(DecoderGraphs.LOGITS);
        progress.loaded(++done, steps);
    }

    @Override
    public LlamaConfig config() {
        return c;
    }

    @Override
    public int contextSize() {
        return s.contextSize;
    }

    @Override
    public int position() {
        return position;
    }

    /** Rows per prefill batch. */
    public int maxBatch() {
        return s.maxBatch;
    }

    @Override
    public void truncate(int nPositions) {
        if (nPositions < 0 || nPositions > position) {
            throw new IllegalArgumentException("cannot truncate to " + nPositions + " positions: the cache holds " + position);
        }
        // cache entries at and past the new position are simply overwritten by the next rows fed
        position = nPositions;
    }

    @Override
    public void embed(int token, float[] out, int offset) {
        if (token < 0 || token >= c.vocabSize()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary 0.." + (c.vocabSize() - 1));
        }
        hostWeights.tokenEmbedding().dequantizeRow(token, out, offset);
    }

    @Override
    public float[] forward(float[] embeddings, int nTokens, int startPos) {
        int dim = c.dim();
        if (nTokens < 1) {
            throw new IllegalArgumentException("forward needs at least one row, got " + nTokens);
        }
        if (startPos < 0 || startPos > position) {
            throw new IllegalArgumentException("start position " + startPos + " is not in 0.." + position
                    + " (the positions cached so far)");
        }
        if ((long) startPos + nTokens > s.contextSize) {
            throw new IllegalArgumentException("context overflow: " + startPos + " cached + " + nTokens + " new positions = "
                    + ((long) startPos + nTokens) + " > context size " + s.contextSize);
        }
        if (embeddings.length < (long) nTokens * dim) {
            throw new IllegalArgumentException("embeddings hold " + embeddings.length + " floats, " + nTokens + " rows of "
                    + dim + " need " + (long) nTokens * dim);
        }
        position = startPos;
        if (nTokens == 1) {
            decode(embeddings, startPos);
        } else {
            prefill(embeddings, nTokens, startPos);
        }
        position = startPos + nTokens;
        MemorySegment.copy(s.logits.getSegment(), ValueLayout.JAVA_FLOAT, 0, logits, 0, logits.length);
        return logits;
    }

    private void decode(float[] embedding, int pos) {
        MemorySegment.copy(embedding, 0, s.decodeRow.getSegment(), ValueLayout.JAVA_FLOAT, 0, c.dim());
        s.decodePosition.set(0, pos);
        s.lastRow.set(0, 0);
        for (int l = 0; l < c.nLayers(); l++) {
            plan.run(DecoderGraphs.decode(l));
        }
        plan.run(DecoderGraphs.LOGITS);
    }

    private void prefill(float[] embeddings, int nTokens, int startPos) {
        int dim = c.dim();
        int rows = 0;
        for (int done = 0; done < nTokens; done += rows) {
            rows = Math.min(s.maxBatch, nTokens - done);
            MemorySegment.copy(embeddings, done * dim, s.prefillRows.getSegment(), ValueLayout.JAVA_FLOAT, 0, rows * dim);
            for (int t = 0; t < s.maxBatch; t++) {
                s.positions.set(t, t < rows ? startPos + done + t : s.scratchPosition(t));
            }
            grids.resizeBatch(rows);
            for (int l = 0; l < c.nLayers(); l++) {
                plan.run(DecoderGraphs.prefill(l));
            }
            position = startPos + done + rows;
        }
        s.lastRow.set(0, rows - 1);
        plan.run(DecoderGraphs.LOGITS);
    }

    /** Frees the device memory; the weights' file stays with the caller. */
    @Override
    public void close() {
        plan.close();
    }
}
