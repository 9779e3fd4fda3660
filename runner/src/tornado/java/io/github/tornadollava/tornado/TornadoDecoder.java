package io.github.tornadollava.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import java.util.List;

import io.github.tornadollava.config.WorkGroupSizes;
import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.llama.LlamaConfig;
import io.github.tornadollava.llama.LlamaDecoder;
import io.github.tornadollava.llama.LlamaWeights;
import io.github.tornadollava.llama.Segment;
import io.github.tornadollava.tornado.kernels.RowKernels;
import io.github.tornadollava.vision.ImageEmbeddings;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The LLaMA decoder on a TornadoVM device, with the math of {@link LlamaDecoder}: weights are
 * uploaded once, the KV cache and all activations live on the device, and per call only the
 * input embedding rows go up and the logits of the last row come down.
 *
 * <p>Prefill runs batches of up to {@code maxBatch} rows through the prefill graphs (tiled
 * mat-mul kernels, each weight tile reused across the batch), then the logits graph after the
 * last batch; a single row runs through the decode graphs (mat-vec kernels, the preceding
 * RMSNorm fused in, the output head in the last one). Each graph holds as many layers as
 * TornadoVM allows in one graph ({@link DecoderGraphs.Split#of}), so a decoded token is one
 * graph execution per 8 layers, not one per layer.
 * See {@link DecoderGraphs} for the graphs and how they hand buffers along. Not thread-safe: one
 * generation at a time.
 *
 * <p>In a multimodal plan ({@link TornadoMultimodal}) the prefill also takes image rows straight
 * from the projector's output on the device ({@link #forward(List, int)}): image embeddings
 * never cross the bus.
 */
public final class TornadoDecoder implements LanguageModel {

    private final LlamaConfig c;
    private final DecoderGraphs.Split split;
    private final LlamaWeights hostWeights;
    private final DecoderState s;
    private final LaunchGrids grids;
    private final GraphPlan plan;
    private final DeviceImageStore images;
    private final float[] logits;
    private int position;
    private boolean closed;

    /**
     * A decoder with its own plan: uploads {@code weights} and builds (and compiles, on a first
     * run) the task graphs.
     *
     * @param hostWeights the memory-mapped weights; only the token embedding is read after loading
     * @param device      the TornadoVM device to run on
     * @param profile     collects TornadoVM's profiler figures, or null
     * @param label       names the model in messages (its file)
     */
    TornadoDecoder(LlamaConfig config, LlamaWeights hostWeights, int contextSize, int maxBatch, TornadoDevice device, WorkGroupSizes sizes,
            DeviceProfile profile, Backend.LoadListener progress, String label) {
        this(config, DecoderGraphs.Split.of(config), hostWeights, contextSize, maxBatch, device, sizes, profile, progress, label);
    }

    /** As above, with the layers split into graphs as {@code split} says (tests try other splits than the default). */
    TornadoDecoder(LlamaConfig config, DecoderGraphs.Split split, LlamaWeights hostWeights, int contextSize, int maxBatch, TornadoDevice device,
            WorkGroupSizes sizes, DeviceProfile profile, Backend.LoadListener progress, String label) {
        checkSizes(config, contextSize, maxBatch);
        int steps = loadSteps(split);
        DeviceLlamaWeights weights = upload(hostWeights, progress, 0, steps, label);
        DecoderState state = new DecoderState(config, contextSize, Math.min(maxBatch, contextSize));
        LaunchGrids launchGrids = new LaunchGrids(sizes);
        GraphPlan graphPlan = new GraphPlan(DecoderGraphs.build(config, split, weights, state, launchGrids, null), launchGrids.scheduler(), device,
                profile);
        this(config, split, hostWeights, state, launchGrids, graphPlan, null);
        try {
            link(progress, c.nLayers(), steps);
        } catch (RuntimeException e) {
            plan.close();
            throw e;
        }
    }

    /**
     * The decoder of a multimodal plan, which holds its graphs ({@link DecoderGraphs#build} with
     * {@code split} over {@code state}, whose image rows are {@code images.rows}); the plan's
     * owner calls {@link #link} once the projector has run.
     */
    TornadoDecoder(LlamaConfig config, DecoderGraphs.Split split, LlamaWeights hostWeights, DecoderState state, LaunchGrids grids, GraphPlan plan,
            DeviceImageStore images) {
        this.c = config;
        this.split = split;
        this.hostWeights = hostWeights;
        this.s = state;
        this.grids = grids;
        this.plan = plan;
        this.images = images;
        this.logits = new float[config.vocabSize()];
    }

    static void checkSizes(LlamaConfig config, int contextSize, int maxBatch) {
        if (contextSize < 1 || contextSize > config.contextLength()) {
            throw new IllegalArgumentException("context size " + contextSize + " must be in 1.." + config.contextLength()
                    + " (the model's context_length)");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be >= 1, got " + maxBatch);
        }
    }

    /** Loading steps: one per layer uploaded, then one per graph run of {@link #link}. */
    static int loadSteps(DecoderGraphs.Split split) {
        return split.layers() + 2 * split.graphs() + 1;
    }

    /** Converts the weights for the device, saying what was converted; progress {@code done + 1 .. done + layers} of {@code total}. */
    static DeviceLlamaWeights upload(LlamaWeights hostWeights, Backend.LoadListener progress, int done, int total, String label) {
        DeviceMatrices.Conversions conversions = new DeviceMatrices.Conversions();
        DeviceLlamaWeights weights = DeviceLlamaWeights.of(hostWeights, conversions, (d, t) -> progress.loaded(done + d, total), total);
        if (!conversions.isEmpty()) {
            System.err.println("tornado: " + label + ": converted for the device (no kernel reads these formats): " + conversions
                    + (conversions.toString().contains("Q8_0") ? " (re-quantized from the dequantized weights as ggml's quantize_row_q8_0)" : ""));
        }
        return weights;
    }

    /**
     * The first run of every graph, in the one order in which each {@code decode<i>} follows
     * {@code prefill<i>} and so receives the weights of its layers, and {@code logits} follows the
     * last decode graph and so receives the output head (see {@link DecoderGraphs}). It uploads
     * the weights, compiles the kernels and computes on one zero row at position 0, which the
     * first real call overwrites.
     */
    void link(Backend.LoadListener progress, int done, int steps) {
        for (int t = 0; t < s.maxBatch; t++) {
            s.positions.set(t, t == 0 ? 0 : s.scratchPosition(t));
        }
        s.decodePosition.set(0, 0);
        s.lastRow.set(0, 0);
        grids.resizeBatch(1);
        for (int i = 0; i < split.graphs(); i++) {
            plan.warmUp(DecoderGraphs.prefill(i));
            progress.loaded(++done, steps);
            plan.warmUp(DecoderGraphs.decode(i));
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
        checkCall(nTokens, startPos);
        if (embeddings.length < (long) nTokens * c.dim()) {
            throw new IllegalArgumentException("embeddings hold " + embeddings.length + " floats, " + nTokens + " rows of "
                    + c.dim() + " need " + (long) nTokens * c.dim());
        }
        position = startPos;
        if (nTokens == 1) {
            decode(embeddings, startPos);
        } else {
            prefill(embeddings, null, nTokens, startPos);
        }
        return finish(startPos + nTokens);
    }

    /**
     * Segments whose image embeddings are in this plan's image store are prefilled with those
     * rows read on the device (see {@link RowKernels#gatherInput}); the host builds only the
     * token rows. Anything else goes the default way, through host rows.
     */
    @Override
    public float[] forward(List<Segment> segments, int startPos) {
        boolean onDevice = false;
        for (Segment seg : segments) {
            onDevice |= seg instanceof Segment.Image i && i.embeddings() instanceof ImageEmbeddings.OnDevice;
        }
        if (!onDevice) {
            return LanguageModel.super.forward(segments, startPos);
        }
        int dim = c.dim();
        long total = 0;
        for (Segment seg : segments) {
            if (seg instanceof Segment.Image i && i.embeddings() instanceof ImageEmbeddings.OnDevice d) {
                if (images == null || !(d instanceof DeviceImageEmbeddings)) {
                    throw new IllegalArgumentException("image embeddings in " + d.location() + " cannot be read by this decoder"
                            + " (load the LM and the mmproj together with Backend.multimodal)");
                }
                images.firstRow((DeviceImageEmbeddings) d); // refuses embeddings of another plan, or overwritten since
            }
            total += seg.length();
        }
        checkCall((int) Math.min(total, Integer.MAX_VALUE), startPos);
        int n = (int) total;
        int[] source = new int[n];
        float[] hostRows = new float[Math.multiplyExact(n, dim)];
        int row = 0;
        for (Segment seg : segments) {
            if (seg instanceof Segment.Image i && i.embeddings() instanceof DeviceImageEmbeddings d) {
                int first = images.firstRow(d);
                for (int r = 0; r < d.nRows(); r++) {
                    source[row++] = first + r;
                }
            } else {
                float[] rows = LanguageModel.hostRows(this, List.of(seg)); // checks widths and token ids
                System.arraycopy(rows, 0, hostRows, row * dim, rows.length);
                for (int r = 0; r < seg.length(); r++) {
                    source[row++] = -1;
                }
            }
        }
        position = startPos;
        prefill(hostRows, source, n, startPos);
        return finish(startPos + n);
    }

    private void checkCall(int nTokens, int startPos) {
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
    }

    private float[] finish(int newPosition) {
        position = newPosition;
        MemorySegment.copy(s.logits.getSegment(), ValueLayout.JAVA_FLOAT, 0, logits, 0, logits.length);
        return logits;
    }

    private void decode(float[] embedding, int pos) {
        MemorySegment.copy(embedding, 0, s.decodeRow.getSegment(), ValueLayout.JAVA_FLOAT, 0, c.dim());
        s.decodePosition.set(0, pos);
        for (int i = 0; i < split.graphs(); i++) {
            plan.run(DecoderGraphs.decode(i)); // the last one brings the logits down
        }
    }

    /**
     * Batches of up to maxBatch rows; row {@code t} is host row {@code t} of {@code embeddings},
     * or, where {@code source[t] >= 0}, that row of the image store.
     *
     * @param source null when all rows are host rows
     */
    private void prefill(float[] embeddings, int[] source, int nTokens, int startPos) {
        int dim = c.dim();
        int rows = 0;
        for (int done = 0; done < nTokens; done += rows) {
            rows = Math.min(s.maxBatch, nTokens - done);
            MemorySegment.copy(embeddings, done * dim, s.prefillRows.getSegment(), ValueLayout.JAVA_FLOAT, 0, rows * dim);
            for (int t = 0; t < s.maxBatch; t++) {
                s.positions.set(t, t < rows ? startPos + done + t : s.scratchPosition(t));
                s.rowSource.set(t, source != null && t < rows ? source[done + t] : -1);
            }
            grids.resizeBatch(rows);
            for (int i = 0; i < split.graphs(); i++) {
                plan.run(DecoderGraphs.prefill(i));
            }
            position = startPos + done + rows;
        }
        s.lastRow.set(0, rows - 1);
        plan.run(DecoderGraphs.LOGITS);
    }

    /** Frees the device memory; the weights' file stays with the caller. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            plan.close();
        }
    }
}
