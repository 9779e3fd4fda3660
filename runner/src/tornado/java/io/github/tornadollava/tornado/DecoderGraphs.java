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
 * The task graphs of a {@link TornadoDecoder}. The layers are split into as few consecutive
 * spans as TornadoVM's limits on one graph allow ({@value #MAX_LAYERS_PER_GRAPH} layers each, see
 * {@link #MAX_LAYERS_PER_GRAPH}); per span there is a prefill graph (a batch of rows through the
 * span's layers, tiled mat-mul kernels) and a decode graph (one row, mat-vec kernels with the
 * preceding RMSNorm fused in); the last decode graph also computes the logits and sends them
 * down, and a separate logits graph serves prefill. So a model of up to 8 layers decodes a token
 * in ONE graph execution, and a 22-layer model in three instead of 23. Why so few: every graph
 * execution costs TornadoVM a fixed host-side overhead (about 0.8 ms on an H200 with PTX), which
 * with one graph per layer was most of a decode step.
 *
 * <p>For the same reason a decode layer launches as few tasks as it can, since each task costs
 * some 80 us of host time too: the q, k and v projections are one kernel that also computes the
 * attention RMSNorm ({@code l3_qkv}), and gate, up and SiLU another ({@code l3_gateUp}), six
 * tasks per layer. Files that store those matrices in different layouts fall back to one
 * mat-vec task each (the fused kernels read all their matrices in one layout).
 *
 * <p>How buffers move between them. TornadoVM hands a consumed buffer over only from the graph
 * that ran just before (looked up by that graph's name), and a graph keeps a handed-over buffer
 * until a later hand-over replaces it; so every graph names each graph that can precede it as a
 * source.
 * <ul>
 *   <li>{@code prefill0} owns the shared state ({@link DecoderState#shared()}: activations,
 *   positions, KV cache); every other graph consumes it and persists it for the next.</li>
 *   <li>The weights of span {@code i} are uploaded once, by {@code prefill<i>}.
 *   {@code decode<i>} consumes them from {@code prefill<i>}, which in normal use never runs just
 *   before it: the decoder runs {@code decode<i>} once right after {@code prefill<i>} when it is
 *   built ({@link TornadoDecoder#link}), and TornadoVM keeps the handed-over buffer from then on.
 *   Hence {@code prefill<i>} (i > 0) also names {@code decode<i-1>} as a source. Likewise the
 *   output head is uploaded by the last decode graph and consumed from it by {@code logits},
 *   which follows it at build time.</li>
 *   <li>Who can precede whom: {@code prefill0} follows {@code logits} (a prompt after a
 *   prompt), the last decode graph (a prompt after generating), the last prefill graph (the next
 *   batch of a long prompt) or the projector (an image just embedded); {@code prefill<i>} and
 *   {@code decode<i>} (i > 0) follow the graph of their kind before, or at build time the other
 *   kind's; {@code decode0} follows {@code logits} (the first token after a prompt), the last
 *   decode graph (the next token) or {@code prefill0} (build time); {@code logits} follows the
 *   last prefill graph, or the last decode graph (build time). A graph that may follow itself
 *   (one span) names itself, which hands its own buffers back to it.</li>
 *   <li>In a multimodal plan ({@link TornadoMultimodal}) {@code prefill0} also reads image rows
 *   from the projector's {@link DeviceImageStore} array, and consumes that array from each of its
 *   possible predecessors; the decoder graphs carry it in {@link DecoderState#shared()} so that
 *   they all hold it. The plan runs the projector once before {@code prefill0}'s first run, which
 *   is when the array is first handed over.</li>
 * </ul>
 * Run orders: a prefill batch {@code prefill0..prefill<S-1>}, then {@code logits} after the last
 * batch; a decode step {@code decode0..decode<S-1>}; at build time
 * {@code prefill0, decode0, prefill1, decode1, ..., logits}.
 *
 * <p>Task names carry the layer ({@code l3_wo}), so that the grid names {@code graph.task} stay
 * unique. Graphs this large also need a larger TornadoVM bytecode buffer than its default,
 * which {@link GraphPlan} sets.
 */
final class DecoderGraphs {

    static final String LOGITS = "logits";

    /** TornadoVM's fixed capacity of tasks per graph ({@code TornadoExecutionContext.MAX_TASKS}); more fail at run time. */
    static final int MAX_TASKS_PER_GRAPH = 256;

    /*
     * The tighter limits: TornadoVM describes a graph's tasks in a fixed buffer of 8192 bytes
     * (TornadoTaskGraph.highLevelCode; more fail with a BufferOverflowException while the graph is
     * built), 15 + 5 bytes per argument (the KernelContext included) for each task. With Q8_0
     * weights, whose kernels take the most arguments, a prefill layer is rmsNorm 45 x 2, matMulQ8
     * 70 x 7, rope 80, attention 70, siluMul 40 = 770 bytes, plus at most 140 bytes for the input
     * task and the output head: at most 10 layers fit. A decode layer is smaller: rmsNormQkvQ8 95,
     * rope 80, attention 70, matVecQ8 55 x 2, rmsNormGateUpSiluQ8 70 = 425 bytes (up to 625 when
     * mixed layouts split q/k/v and gate/up into single mat-vecs), so fusing q/k/v into one task
     * (six tasks per decode layer instead of eight) does not let a span grow: the prefill graph,
     * which shares the split, binds. And it builds
     * a graph of at most 1024 nodes (TornadoGraph, "resize not implemented"): about three per
     * array the graph holds and two per task, some 75 per Q8_0 prefill layer, ~80 for the shared
     * state; a graph that held every layer's weights (to pass them on to graphs of a different
     * split) would not fit, hence one split for both kinds of graph. 8 layers keep a margin below
     * both estimates (~6.3 KB, ~680 nodes) and split the 22- and 32-layer shapes into as few graphs
     * as 10 would (3 and 4); the 22-layer benchmark model ran with them on PoCL.
     */
    static final int MAX_LAYERS_PER_GRAPH = 8;

    private DecoderGraphs() {
    }

    static String prefill(int span) {
        return "prefill" + span;
    }

    static String decode(int span) {
        return "decode" + span;
    }

    /**
     * How the layers are split into graphs: consecutive spans of at most {@code layersPerGraph}
     * layers, differing in size by at most one; span {@code i} has a prefill and a decode graph.
     */
    record Split(int layers, int layersPerGraph) {

        Split {
            if (layers < 1 || layersPerGraph < 1) {
                throw new IllegalArgumentException("cannot split " + layers + " layers into graphs of " + layersPerGraph);
            }
        }

        /** As few graphs as TornadoVM's limits on one graph allow, with a margin: eight layers each. */
        static Split of(LlamaConfig c) {
            return new Split(c.nLayers(), MAX_LAYERS_PER_GRAPH);
        }

        /** Prefill graphs, and as many decode graphs (run one after the other for each token). */
        int graphs() {
            return (layers + layersPerGraph - 1) / layersPerGraph;
        }

        /** First layer of span {@code i} (for {@code i == graphs()}: the layer count). */
        int first(int i) {
            return (int) ((long) i * layers / graphs());
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
        for (int i = 0; i < split.graphs(); i++) {
            graphs.add(prefillGraph(c, split, i, w, s, grids, imageSource));
        }
        for (int i = 0; i < split.graphs(); i++) {
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

    /** The layers of span {@code span} over a batch of up to maxBatch rows of {@code x}; uploads their weights. */
    private static TaskGraph prefillGraph(LlamaConfig c, Split split, int span, DeviceLlamaWeights w, DecoderState s, LaunchGrids grids, String imageSource) {
        String name = prefill(span);
        TaskGraph g = new TaskGraph(name);
        KernelContext ctx = new KernelContext();
        int last = split.graphs() - 1;
        int first = split.first(span);
        int end = split.first(span + 1);
        int batch = s.maxBatch;
        int dim = c.dim();
        Object[] weights = layerWeights(w, first, end);
        if (span == 0) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, s.prefillRows, s.positions);
            if (imageSource != null) {
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, s.rowSource);
                for (String before : new String[] {imageSource, LOGITS, decode(last), prefill(last)}) {
                    g.consumeFromDevice(before, s.imageRows);
                }
            }
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, s.x, s.xb, s.q, s.k, s.v, s.att, s.hb, s.hb2, s.keyCache, s.valueCache);
        } else {
            g.consumeFromDevice(prefill(span - 1), s.shared());
            g.consumeFromDevice(decode(span - 1), s.shared());
        }
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, s.noBias, s.ropeFrequencies);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, weights);

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
        g.persistOnDevice(concat(s.shared(), weights));
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
     * The layers of span {@code span} over row 0 of {@code x}, at position {@code positions[0]};
     * the last span also computes the logits of that row and sends them to the host.
     */
    private static TaskGraph decodeGraph(LlamaConfig c, Split split, int span, DeviceLlamaWeights w, DecoderState s, LaunchGrids grids) {
        String name = decode(span);
        TaskGraph g = new TaskGraph(name);
        KernelContext ctx = new KernelContext();
        int first = split.first(span);
        int end = split.first(span + 1);
        boolean last = span == split.graphs() - 1;
        int dim = c.dim();
        if (span == 0) {
            g.consumeFromDevice(LOGITS, s.shared());
            g.consumeFromDevice(decode(split.graphs() - 1), s.shared());
        } else {
            g.consumeFromDevice(decode(span - 1), s.shared());
        }
        g.consumeFromDevice(prefill(span), concat(s.shared(), layerWeights(w, first, end)));
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
            g.persistOnDevice(s.shared());
        }
        return g;
    }

    /**
     * One transformer block over row 0 of {@code x}: six tasks (q/k/v, rope, attention, wo,
     * gate/up/SiLU, down); mixed q/k/v layouts take two more, mixed gate/up layouts two more.
     */
    private static void decodeLayer(TaskGraph g, String graph, KernelContext ctx, LlamaConfig c, int l, DeviceLlamaWeights.Layer w, DecoderState s,
            LaunchGrids grids) {
        String prefix = graph + ".";
        int dim = c.dim();
        if (LinearTasks.sameLayout(w.wq(), w.wk(), w.wv())) {
            LinearTasks.rmsNormQkv(g, task(l, "qkv"), ctx, s.x, w.attnNorm(), w.wq(), w.wk(), w.wv(), s.q, s.k, s.v, c.rmsEps());
            grids.matVec(prefix + task(l, "qkv"), LinearTasks.qkvRows(w.wq(), w.wk(), w.wv()));
        } else {
            // the fused kernel reads all three matrices in one layout; mixed files take three launches
            LinearTasks.rmsNormMatVec(g, task(l, "q"), ctx, s.x, w.attnNorm(), w.wq(), s.q, c.rmsEps());
            grids.matVec(prefix + task(l, "q"), c.qDim());
            LinearTasks.rmsNormMatVec(g, task(l, "k"), ctx, s.x, w.attnNorm(), w.wk(), s.k, c.rmsEps());
            grids.matVec(prefix + task(l, "k"), c.kvDim());
            LinearTasks.rmsNormMatVec(g, task(l, "v"), ctx, s.x, w.attnNorm(), w.wv(), s.v, c.rmsEps());
            grids.matVec(prefix + task(l, "v"), c.kvDim());
        }
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
        g.consumeFromDevice(prefill(split.graphs() - 1), s.shared());
        g.consumeFromDevice(decode(split.graphs() - 1), concat(s.shared(), w.outputArrays()));
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
