package io.github.tornadollava.tornado;

import java.util.ArrayList;
import java.util.List;

import io.github.tornadollava.kernels.tornado.Activations;
import io.github.tornadollava.kernels.tornado.Attention;
import io.github.tornadollava.kernels.tornado.Norms;
import io.github.tornadollava.kernels.tornado.Rope;
import io.github.tornadollava.llama.LlamaConfig;
import io.github.tornadollava.tornado.kernels.RowKernels;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * The task graphs of a {@link TornadoDecoder}: prefill graphs (a batch of rows, tiled mat-mul
 * kernels), decode graphs (one row, mat-vec kernels with the preceding RMSNorm fused in; the last
 * one also computes the logits and sends them down) and a logits graph that serves prefill.
 * Each prefill or decode graph runs as many consecutive layers as TornadoVM allows in one graph
 * (its fixed 8 KiB buffer of task descriptions admits 10 prefill or 12 decode layers, see
 * {@link Split#of}), so a model of up to 12 layers decodes a token in ONE graph execution, and a
 * 22-layer model in two (with three prefill graphs) instead of 23. Why so few: every graph
 * execution costs TornadoVM a fixed host-side overhead (about 0.8 ms on an H200 with PTX), which
 * with one graph per layer was most of a decode step.
 *
 * <p>How buffers move between them. TornadoVM hands a consumed buffer over only from the graph
 * that ran just before (looked up by that graph's name), and a graph keeps a handed-over buffer
 * until a later hand-over replaces it; so every graph names each graph that can precede it as a
 * source, and the load-time run order ({@link TornadoDecoder#link}) is
 * {@code prefill0, prefill1, ..., decode0, decode1, ..., logits}.
 * <ul>
 *   <li>{@code prefill0} owns the shared state ({@link DecoderState#shared()}: activations,
 *   positions, KV cache); every other graph consumes it and persists it for the next.</li>
 *   <li>Each prefill graph uploads the weights of its layers once, and persists them together
 *   with those it consumed from the prefill graph before it, so the last prefill graph holds
 *   every layer's weights. {@code decode0} consumes them all from it, which happens once, at
 *   load time; each decode graph passes on the weights of the decode graphs after it. The last
 *   decode graph uploads the output head, and {@code logits}, which follows it at load time,
 *   consumes it from there.</li>
 *   <li>Who can precede whom in use: {@code prefill0} follows {@code logits} (a prompt after a
 *   prompt), the last decode graph (a prompt after generating), the last prefill graph (the next
 *   batch of a long prompt) or the projector (an image just embedded); {@code prefill<i>} and
 *   {@code decode<i>} for i > 0 follow the graph of their kind before; {@code decode0} follows
 *   {@code logits} (the first token after a prompt), the last decode graph (the next token) or
 *   the last prefill graph (load time); {@code logits} follows the last prefill graph, or the
 *   last decode graph (load time). A graph that may follow itself names itself, which hands its
 *   own buffers back to it.</li>
 *   <li>In a multimodal plan ({@link TornadoMultimodal}) {@code prefill0} also reads image rows
 *   from the projector's {@link DeviceImageStore} array, and consumes that array from each of its
 *   possible predecessors; the decoder graphs carry it in {@link DecoderState#shared()} so that
 *   they all hold it. The plan runs the projector once before {@code prefill0}'s first run, which
 *   is when the array is first handed over.</li>
 * </ul>
 * Run orders in use: a prefill batch {@code prefill0..prefill<P-1>}, then {@code logits} after
 * the last batch; a decode step {@code decode0..decode<D-1>}.
 *
 * <p>Task names carry the layer ({@code l3_q}), so that the grid names {@code graph.task} stay
 * unique. Graphs this large also need a larger TornadoVM bytecode buffer than its default,
 * which {@link GraphPlan} sets.
 */
final class DecoderGraphs {

    static final String LOGITS = "logits";

    /** TornadoVM's fixed capacity of tasks per graph ({@code TornadoExecutionContext.MAX_TASKS}); more fail at run time. */
    static final int MAX_TASKS_PER_GRAPH = 256;

    /*
     * The tighter limit: TornadoVM describes a graph's tasks in a fixed buffer of 8192 bytes
     * (TornadoTaskGraph.highLevelCode; more fail with a BufferOverflowException while the graph is
     * built), 15 + 5 bytes per argument (the KernelContext included) for each task. With Q8_0
     * weights, whose kernels take the most arguments: a prefill layer is rmsNorm 45 x 2, matMulQ8
     * 70 x 7, rope 80, attention 70, siluMul 40 = 770 bytes; a decode layer rmsNormMatVecQ8 65 x 3,
     * rope 80, attention 70, matVecQ8 55 x 2 and either the fused gate/up 70 (525 bytes) or, for
     * mixed gate/up layouts, rmsNormMatVecQ8 65 x 2 and siluMul 40 (625 bytes). A graph adds at
     * most an input task and the output head, 140 bytes.
     */
    private static final int TASK_CODE_BYTES = 8192;
    private static final int PREFILL_LAYER_BYTES = 770;
    private static final int DECODE_LAYER_BYTES = 625;
    private static final int EXTRA_TASK_BYTES = 140;

    private DecoderGraphs() {
    }

    static String prefill(int span) {
        return "prefill" + span;
    }

    static String decode(int span) {
        return "decode" + span;
    }

    /**
     * How the layers are split into graphs: consecutive spans of at most
     * {@code prefillLayersPerGraph} layers per prefill graph and {@code decodeLayersPerGraph} per
     * decode graph, spans of one kind differing in size by at most one.
     */
    record Split(int layers, int prefillLayersPerGraph, int decodeLayersPerGraph) {

        Split {
            if (layers < 1 || prefillLayersPerGraph < 1 || decodeLayersPerGraph < 1) {
                throw new IllegalArgumentException("cannot split " + layers + " layers by " + prefillLayersPerGraph + " / " + decodeLayersPerGraph);
            }
        }

        /** As few graphs as TornadoVM's limits on one graph allow: 10 layers per prefill graph, 12 per decode graph. */
        static Split of(LlamaConfig c) {
            return new Split(c.nLayers(), (TASK_CODE_BYTES - EXTRA_TASK_BYTES) / PREFILL_LAYER_BYTES,
                    (TASK_CODE_BYTES - EXTRA_TASK_BYTES) / DECODE_LAYER_BYTES);
        }

        int prefillGraphs() {
            return (layers + prefillLayersPerGraph - 1) / prefillLayersPerGraph;
        }

        /** Decode graphs, run one after the other for each token. */
        int decodeGraphs() {
            return (layers + decodeLayersPerGraph - 1) / decodeLayersPerGraph;
        }

        /** First layer of prefill graph {@code i} (for {@code i == prefillGraphs()}: the layer count). */
        int prefillFirst(int i) {
            return (int) ((long) i * layers / prefillGraphs());
        }

        /** First layer of decode graph {@code i} (for {@code i == decodeGraphs()}: the layer count). */
        int decodeFirst(int i) {
            return (int) ((long) i * layers / decodeGraphs());
        }
    }

    /**
     * All graphs, in plan order.
     *
     * @param split       how many layers each graph runs ({@link Split#of} but in tests)
     * @param imageSource the graph that writes {@link DecoderState#imageRows} (the projector), or null when there are none
     */
    static List<TaskGraph> build(LlamaConfig c, Split split, DeviceLlamaWeights w, DecoderState s, LaunchGrids grids, String imageSource) {
        if ((imageSource == null) != (s.imageRows == null)) {
            throw new IllegalArgumentException("image rows need the graph that writes them, and only they do");
        }
        List<TaskGraph> graphs = new ArrayList<>();
        if (split.layers() != c.nLayers()) {
            throw new IllegalArgumentException("a split of " + split.layers() + " layers for a model of " + c.nLayers());
        }
        for (int i = 0; i < split.prefillGraphs(); i++) {
            graphs.add(prefillGraph(c, split, i, w, s, grids, imageSource));
        }
        for (int i = 0; i < split.decodeGraphs(); i++) {
            graphs.add(decodeGraph(c, split, i, w, s, grids));
        }
        graphs.add(logits(c, split, w, s, grids));
        for (TaskGraph g : graphs) {
            // a custom split could pass TornadoVM's other limit, which would fail later and less clearly
            int tasks = grids.tasks(g.getTaskGraphName());
            if (tasks > MAX_TASKS_PER_GRAPH) {
                throw new IllegalStateException("task graph " + g.getTaskGraphName() + " has " + tasks + " tasks, more than TornadoVM's "
                        + MAX_TASKS_PER_GRAPH + " per graph");
            }
        }
        return graphs;
    }

    private static float attentionScale(LlamaConfig c) {
        return (float) (1.0 / Math.sqrt(c.headDim()));
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] all = new Object[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Every weight array of layers {@code from..to-1}. */
    private static Object[] layerWeights(DeviceLlamaWeights w, int from, int to) {
        List<Object> all = new ArrayList<>();
        for (int l = from; l < to; l++) {
            all.addAll(List.of(w.layers().get(l).arrays()));
        }
        return all.toArray();
    }

    /** A task name unique in its graph: the layer, then what the task computes. */
    private static String task(int layer, String what) {
        return "l" + layer + "_" + what;
    }

    /**
     * The layers of prefill span {@code span} over a batch of up to maxBatch rows of {@code x}.
     * It uploads its layers' weights and passes them on, with those of the spans before, so that
     * the last prefill graph holds them all for {@code decode0}.
     */
    private static TaskGraph prefillGraph(LlamaConfig c, Split split, int span, DeviceLlamaWeights w, DecoderState s, LaunchGrids grids, String imageSource) {
        String name = prefill(span);
        TaskGraph g = new TaskGraph(name);
        KernelContext ctx = new KernelContext();
        int spans = split.prefillGraphs();
        int first = split.prefillFirst(span);
        int end = split.prefillFirst(span + 1);
        int batch = s.maxBatch;
        int dim = c.dim();
        if (span == 0) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, s.prefillRows, s.positions);
            if (imageSource != null) {
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, s.rowSource);
                for (String before : new String[] {imageSource, LOGITS, decode(split.decodeGraphs() - 1), prefill(spans - 1)}) {
                    g.consumeFromDevice(before, s.imageRows);
                }
            }
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, s.x, s.xb, s.q, s.k, s.v, s.att, s.hb, s.hb2, s.keyCache, s.valueCache);
        } else {
            g.consumeFromDevice(prefill(span - 1), concat(s.shared(), layerWeights(w, 0, first)));
        }
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, s.noBias, s.ropeFrequencies);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, layerWeights(w, first, end));

        if (span == 0) {
            if (imageSource == null) {
                g.task("input", RowKernels::copy, ctx, s.prefillRows, s.x, batch * dim);
            } else {
                g.task("input", RowKernels::gatherInput, ctx, s.prefillRows, s.rowSource, s.imageRows, s.x, dim, batch * dim);
            }
            grids.batchElementwise(name + ".input", batch, dim);
        }
        for (int l = first; l < end; l++) {
            prefillLayer(g, name, ctx, c, l, w.layers().get(l), s, grids);
        }
        g.persistOnDevice(concat(s.shared(), layerWeights(w, 0, end)));
        return g;
    }

    /** One transformer block over a batch of up to maxBatch rows of {@code x}: twelve tasks. */
    private static void prefillLayer(TaskGraph g, String graph, KernelContext ctx, LlamaConfig c, int l, DeviceLlamaWeights.Layer w, DecoderState s,
            LaunchGrids grids) {
        String prefix = graph + ".";
        int batch = s.maxBatch;
        int dim = c.dim();
        g.task(task(l, "attnNorm"), Norms::rmsNorm, ctx, s.x, w.attnNorm(), s.xb, dim, c.rmsEps());
        grids.batchNorm(prefix + task(l, "attnNorm"), batch);
        LinearTasks.matMul(g, task(l, "q"), ctx, s.xb, w.wq(), s.noBias, s.q, batch, false, false);
        grids.batchMatMul(prefix + task(l, "q"), batch, c.qDim());
        LinearTasks.matMul(g, task(l, "k"), ctx, s.xb, w.wk(), s.noBias, s.k, batch, false, false);
        grids.batchMatMul(prefix + task(l, "k"), batch, c.kvDim());
        LinearTasks.matMul(g, task(l, "v"), ctx, s.xb, w.wv(), s.noBias, s.v, batch, false, false);
        grids.batchMatMul(prefix + task(l, "v"), batch, c.kvDim());
        g.task(task(l, "rope"), Rope::ropeAndCacheWrite, ctx, s.q, s.k, s.v, s.keyCache, s.valueCache, s.positions, s.ropeFrequencies,
                batch, c.nHeads(), c.nKvHeads(), c.headDim(), s.cacheOffset(l));
        grids.batchElementwise(prefix + task(l, "rope"), batch, c.nHeads() * c.headDim() / 2);
        g.task(task(l, "attention"), Attention::causalAttention, ctx, s.q, s.keyCache, s.valueCache, s.att, s.positions, s.cacheOffset(l),
                c.nHeads(), c.nKvHeads(), c.headDim(), attentionScale(c));
        grids.batchAttention(prefix + task(l, "attention"), batch, c.nHeads(), c.headDim());
        LinearTasks.matMul(g, task(l, "wo"), ctx, s.att, w.wo(), s.noBias, s.x, batch, false, true);
        grids.batchMatMul(prefix + task(l, "wo"), batch, dim);

        g.task(task(l, "ffnNorm"), Norms::rmsNorm, ctx, s.x, w.ffnNorm(), s.xb, dim, c.rmsEps());
        grids.batchNorm(prefix + task(l, "ffnNorm"), batch);
        LinearTasks.matMul(g, task(l, "gate"), ctx, s.xb, w.wGate(), s.noBias, s.hb, batch, false, false);
        grids.batchMatMul(prefix + task(l, "gate"), batch, c.hiddenDim());
        LinearTasks.matMul(g, task(l, "up"), ctx, s.xb, w.wUp(), s.noBias, s.hb2, batch, false, false);
        grids.batchMatMul(prefix + task(l, "up"), batch, c.hiddenDim());
        g.task(task(l, "silu"), Activations::siluMul, ctx, s.hb, s.hb2, s.hb, batch * c.hiddenDim());
        grids.batchElementwise(prefix + task(l, "silu"), batch, c.hiddenDim());
        LinearTasks.matMul(g, task(l, "down"), ctx, s.hb, w.wDown(), s.noBias, s.x, batch, false, true);
        grids.batchMatMul(prefix + task(l, "down"), batch, dim);
    }

    /**
     * The layers of decode span {@code span} over row 0 of {@code x}, at position
     * {@code positions[0]}; the last span also computes the logits of that row and sends them to
     * the host. {@code decode0} takes every layer's weights from the last prefill graph; each
     * decode graph passes on those of the spans after it.
     */
    private static TaskGraph decodeGraph(LlamaConfig c, Split split, int span, DeviceLlamaWeights w, DecoderState s, LaunchGrids grids) {
        String name = decode(span);
        TaskGraph g = new TaskGraph(name);
        KernelContext ctx = new KernelContext();
        int spans = split.decodeGraphs();
        int first = split.decodeFirst(span);
        int end = split.decodeFirst(span + 1);
        boolean last = span == spans - 1;
        int dim = c.dim();
        if (span == 0) {
            g.consumeFromDevice(LOGITS, s.shared());
            g.consumeFromDevice(decode(spans - 1), s.shared());
            g.consumeFromDevice(prefill(split.prefillGraphs() - 1), concat(s.shared(), layerWeights(w, 0, c.nLayers())));
        } else {
            g.consumeFromDevice(decode(span - 1), concat(s.shared(), layerWeights(w, first, c.nLayers())));
        }
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, s.ropeFrequencies);
        if (last) {
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w.outputArrays());
        }

        if (span == 0) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, s.decodeRow, s.decodePosition);
            g.task("input", RowKernels::loadDecodeRow, ctx, s.decodeRow, s.decodePosition, s.x, s.positions, dim);
            grids.elementwise(name + ".input", dim);
        }
        for (int l = first; l < end; l++) {
            decodeLayer(g, name, ctx, c, l, w.layers().get(l), s, grids);
        }
        if (last) {
            LinearTasks.rmsNormMatVec(g, "output", ctx, s.x, w.outputNorm(), w.output(), s.logits, c.rmsEps());
            grids.matVec(name + ".output", c.vocabSize());
            g.transferToHost(DataTransferMode.EVERY_EXECUTION, s.logits);
            g.persistOnDevice(concat(s.shared(), w.outputArrays()));
        } else {
            g.persistOnDevice(concat(s.shared(), layerWeights(w, end, c.nLayers())));
        }
        return g;
    }

    /** One transformer block over row 0 of {@code x}: eight tasks, ten for mixed gate/up layouts. */
    private static void decodeLayer(TaskGraph g, String graph, KernelContext ctx, LlamaConfig c, int l, DeviceLlamaWeights.Layer w, DecoderState s,
            LaunchGrids grids) {
        String prefix = graph + ".";
        int dim = c.dim();
        LinearTasks.rmsNormMatVec(g, task(l, "q"), ctx, s.x, w.attnNorm(), w.wq(), s.q, c.rmsEps());
        grids.matVec(prefix + task(l, "q"), c.qDim());
        LinearTasks.rmsNormMatVec(g, task(l, "k"), ctx, s.x, w.attnNorm(), w.wk(), s.k, c.rmsEps());
        grids.matVec(prefix + task(l, "k"), c.kvDim());
        LinearTasks.rmsNormMatVec(g, task(l, "v"), ctx, s.x, w.attnNorm(), w.wv(), s.v, c.rmsEps());
        grids.matVec(prefix + task(l, "v"), c.kvDim());
        g.task(task(l, "rope"), Rope::ropeAndCacheWrite, ctx, s.q, s.k, s.v, s.keyCache, s.valueCache, s.positions, s.ropeFrequencies,
                1, c.nHeads(), c.nKvHeads(), c.headDim(), s.cacheOffset(l));
        grids.elementwise(prefix + task(l, "rope"), c.nHeads() * c.headDim() / 2);
        g.task(task(l, "attention"), Attention::causalAttention, ctx, s.q, s.keyCache, s.valueCache, s.att, s.positions, s.cacheOffset(l),
                c.nHeads(), c.nKvHeads(), c.headDim(), attentionScale(c));
        grids.attention(prefix + task(l, "attention"), 1, c.nHeads(), c.headDim());
        LinearTasks.matVec(g, task(l, "wo"), ctx, w.wo(), s.att, s.x, 1);
        grids.matVec(prefix + task(l, "wo"), dim);

        if (LinearTasks.sameLayout(w.wGate(), w.wUp())) {
            LinearTasks.rmsNormGateUpSilu(g, task(l, "gateUp"), ctx, s.x, w.ffnNorm(), w.wGate(), w.wUp(), s.hb, c.rmsEps());
            grids.matVec(prefix + task(l, "gateUp"), c.hiddenDim());
        } else {
            // the fused kernel reads both matrices in one layout; mixed files take three launches
            LinearTasks.rmsNormMatVec(g, task(l, "gate"), ctx, s.x, w.ffnNorm(), w.wGate(), s.hb, c.rmsEps());
            grids.matVec(prefix + task(l, "gate"), c.hiddenDim());
            LinearTasks.rmsNormMatVec(g, task(l, "up"), ctx, s.x, w.ffnNorm(), w.wUp(), s.hb2, c.rmsEps());
            grids.matVec(prefix + task(l, "up"), c.hiddenDim());
            g.task(task(l, "silu"), Activations::siluMul, ctx, s.hb, s.hb2, s.hb, c.hiddenDim());
            grids.elementwise(prefix + task(l, "silu"), c.hiddenDim());
        }
        LinearTasks.matVec(g, task(l, "down"), ctx, w.wDown(), s.hb, s.x, 1);
        grids.matVec(prefix + task(l, "down"), dim);
    }

    /**
     * After a prefill: final RMSNorm and the output head on row {@code lastRow[0]} of {@code x};
     * the logits go to the host. The head's weights come from the last decode graph.
     */
    private static TaskGraph logits(LlamaConfig c, Split split, DeviceLlamaWeights w, DecoderState s, LaunchGrids grids) {
        TaskGraph g = new TaskGraph(LOGITS);
        KernelContext ctx = new KernelContext();
        g.consumeFromDevice(prefill(split.prefillGraphs() - 1), s.shared());
        g.consumeFromDevice(decode(split.decodeGraphs() - 1), concat(s.shared(), w.outputArrays()));
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, s.lastRow);
        g.task("lastRow", RowKernels::selectRow, ctx, s.x, s.lastRow, s.xLast, c.dim());
        grids.elementwise(LOGITS + ".lastRow", c.dim());
        LinearTasks.rmsNormMatVec(g, "output", ctx, s.xLast, w.outputNorm(), w.output(), s.logits, c.rmsEps());
        grids.matVec(LOGITS + ".output", c.vocabSize());
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, s.logits);
        g.persistOnDevice(s.shared());
        return g;
    }
}
