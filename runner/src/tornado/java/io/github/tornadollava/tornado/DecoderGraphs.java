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
 * The task graphs of a {@link TornadoDecoder}: per layer a prefill graph (batched, mat-mul
 * kernels) and a decode graph (one row, mat-vec kernels), and one logits graph.
 *
 * <p>How buffers move between them (TornadoVM hands a consumed buffer over from the graph that
 * ran just before, looked up by that graph's name):
 * <ul>
 *   <li>{@code prefill0} owns the shared state ({@link DecoderState#shared()}: activations,
 *   positions, KV cache); every other graph consumes it from each graph that can precede it and
 *   persists it for the next. {@code prefill0} is the only graph that can follow anything, and it
 *   consumes nothing.</li>
 *   <li>The weights of layer {@code l} are uploaded once, by {@code prefill<l>}.
 *   {@code decode<l>} consumes them from {@code prefill<l>}, which in normal use never runs just
 *   before it: the decoder runs every {@code decode<l>} once right after {@code prefill<l>} when it
 *   is built (see {@link TornadoDecoder}), and TornadoVM keeps the handed-over buffer from then
 *   on. Hence each prefill graph also names the decode graph of the layer below as a source.</li>
 *   <li>In a multimodal plan ({@link TornadoMultimodal}) {@code prefill0} also reads image rows
 *   from the projector's {@link DeviceImageStore} array. It runs after the projector (an image
 *   just embedded), after {@code logits} (any later prompt) or after {@code prefill<L-1>} (the
 *   next batch of a long prompt), so it consumes that array from all three; the decoder graphs
 *   carry it in {@link DecoderState#shared()} so that {@code logits} and {@code prefill<L-1>}
 *   hold it. The plan runs the projector once before {@code prefill0}'s first run, which is
 *   when the array is first handed over.</li>
 * </ul>
 * Run orders: prefill {@code prefill0..prefill<L-1>[, logits]}; decode
 * {@code decode0..decode<L-1>, logits}; at build time
 * {@code prefill0, decode0, prefill1, decode1, ..., logits}.
 */
final class DecoderGraphs {

    static final String LOGITS = "logits";

    private DecoderGraphs() {
    }

    static String prefill(int layer) {
        return "prefill" + layer;
    }

    static String decode(int layer) {
        return "decode" + layer;
    }

    /**
     * All graphs, in plan order.
     *
     * @param imageSource the graph that writes {@link DecoderState#imageRows} (the projector), or null when there are none
     */
    static List<TaskGraph> build(LlamaConfig c, DeviceLlamaWeights w, DecoderState s, LaunchGrids grids, String imageSource) {
        if ((imageSource == null) != (s.imageRows == null)) {
            throw new IllegalArgumentException("image rows need the graph that writes them, and only they do");
        }
        List<TaskGraph> graphs = new ArrayList<>();
        for (int l = 0; l < c.nLayers(); l++) {
            graphs.add(prefillLayer(c, l, w.layers().get(l), s, grids, imageSource));
        }
        for (int l = 0; l < c.nLayers(); l++) {
            graphs.add(decodeLayer(c, l, w.layers().get(l), s, grids));
        }
        graphs.add(logits(c, w, s, grids));
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

    /** One transformer block over a batch of up to maxBatch rows of {@code x}. */
    private static TaskGraph prefillLayer(LlamaConfig c, int l, DeviceLlamaWeights.Layer w, DecoderState s, LaunchGrids grids, String imageSource) {
        String name = prefill(l);
        TaskGraph g = new TaskGraph(name);
        KernelContext ctx = new KernelContext();
        int batch = s.maxBatch;
        int dim = c.dim();
        if (l == 0) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, s.prefillRows, s.positions);
            if (imageSource != null) {
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, s.rowSource);
                for (String before : new String[] {imageSource, LOGITS, prefill(c.nLayers() - 1)}) {
                    g.consumeFromDevice(before, s.imageRows);
                }
            }
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, s.x, s.xb, s.q, s.k, s.v, s.att, s.hb, s.hb2, s.keyCache, s.valueCache);
        } else {
            g.consumeFromDevice(prefill(l - 1), s.shared());
            g.consumeFromDevice(decode(l - 1), s.shared());
        }
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, s.noBias, s.ropeFrequencies);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w.arrays());

        if (l == 0) {
            if (imageSource == null) {
                g.task("input", RowKernels::copy, ctx, s.prefillRows, s.x, batch * dim);
            } else {
                g.task("input", RowKernels::gatherInput, ctx, s.prefillRows, s.rowSource, s.imageRows, s.x, dim, batch * dim);
            }
            grids.batchElementwise(name + ".input", batch, dim);
        }
        g.task("attnNorm", Norms::rmsNorm, ctx, s.x, w.attnNorm(), s.xb, dim, c.rmsEps());
        grids.batchNorm(name + ".attnNorm", batch);
        LinearTasks.matMul(g, "q", ctx, s.xb, w.wq(), s.noBias, s.q, batch, false, false);
        grids.batchMatMul(name + ".q", batch, c.qDim());
        LinearTasks.matMul(g, "k", ctx, s.xb, w.wk(), s.noBias, s.k, batch, false, false);
        grids.batchMatMul(name + ".k", batch, c.kvDim());
        LinearTasks.matMul(g, "v", ctx, s.xb, w.wv(), s.noBias, s.v, batch, false, false);
        grids.batchMatMul(name + ".v", batch, c.kvDim());
        g.task("rope", Rope::ropeAndCacheWrite, ctx, s.q, s.k, s.v, s.keyCache, s.valueCache, s.positions, s.ropeFrequencies,
                batch, c.nHeads(), c.nKvHeads(), c.headDim(), s.cacheOffset(l));
        grids.batchElementwise(name + ".rope", batch, c.nHeads() * c.headDim() / 2);
        g.task("attention", Attention::causalAttention, ctx, s.q, s.keyCache, s.valueCache, s.att, s.positions, s.cacheOffset(l),
                c.nHeads(), c.nKvHeads(), c.headDim(), attentionScale(c));
        grids.batchAttention(name + ".attention", batch, c.nHeads(), c.headDim());
        LinearTasks.matMul(g, "wo", ctx, s.att, w.wo(), s.noBias, s.x, batch, false, true);
        grids.batchMatMul(name + ".wo", batch, dim);

        g.task("ffnNorm", Norms::rmsNorm, ctx, s.x, w.ffnNorm(), s.xb, dim, c.rmsEps());
        grids.batchNorm(name + ".ffnNorm", batch);
        LinearTasks.matMul(g, "gate", ctx, s.xb, w.wGate(), s.noBias, s.hb, batch, false, false);
        grids.batchMatMul(name + ".gate", batch, c.hiddenDim());
        LinearTasks.matMul(g, "up", ctx, s.xb, w.wUp(), s.noBias, s.hb2, batch, false, false);
        grids.batchMatMul(name + ".up", batch, c.hiddenDim());
        g.task("silu", Activations::siluMul, ctx, s.hb, s.hb2, s.hb, batch * c.hiddenDim());
        grids.batchElementwise(name + ".silu", batch, c.hiddenDim());
        LinearTasks.matMul(g, "down", ctx, s.hb, w.wDown(), s.noBias, s.x, batch, false, true);
        grids.batchMatMul(name + ".down", batch, dim);

        g.persistOnDevice(concat(s.shared(), w.arrays()));
        return g;
    }

    /** One transformer block over row 0 of {@code x}, at position {@code positions[0]}. */
    private static TaskGraph decodeLayer(LlamaConfig c, int l, DeviceLlamaWeights.Layer w, DecoderState s, LaunchGrids grids) {
        String name = decode(l);
        TaskGraph g = new TaskGraph(name);
        KernelContext ctx = new KernelContext();
        int dim = c.dim();
        g.consumeFromDevice(l == 0 ? LOGITS : decode(l - 1), s.shared());
        g.consumeFromDevice(prefill(l), concat(s.shared(), w.arrays()));
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, s.ropeFrequencies);

        if (l == 0) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, s.decodeRow, s.decodePosition);
            g.task("input", RowKernels::loadDecodeRow, ctx, s.decodeRow, s.decodePosition, s.x, s.positions, dim);
            grids.elementwise(name + ".input", dim);
        }
        LinearTasks.rmsNormMatVec(g, "q", ctx, s.x, w.attnNorm(), w.wq(), s.q, c.rmsEps());
        grids.matVec(name + ".q", c.qDim());
        LinearTasks.rmsNormMatVec(g, "k", ctx, s.x, w.attnNorm(), w.wk(), s.k, c.rmsEps());
        grids.matVec(name + ".k", c.kvDim());
        LinearTasks.rmsNormMatVec(g, "v", ctx, s.x, w.attnNorm(), w.wv(), s.v, c.rmsEps());
        grids.matVec(name + ".v", c.kvDim());
        g.task("rope", Rope::ropeAndCacheWrite, ctx, s.q, s.k, s.v, s.keyCache, s.valueCache, s.positions, s.ropeFrequencies,
                1, c.nHeads(), c.nKvHeads(), c.headDim(), s.cacheOffset(l));
        grids.elementwise(name + ".rope", c.nHeads() * c.headDim() / 2);
        g.task("attention", Attention::causalAttention, ctx, s.q, s.keyCache, s.valueCache, s.att, s.positions, s.cacheOffset(l),
                c.nHeads(), c.nKvHeads(), c.headDim(), attentionScale(c));
        grids.attention(name + ".attention", 1, c.nHeads(), c.headDim());
        LinearTasks.matVec(g, "wo", ctx, w.wo(), s.att, s.x, 1);
        grids.matVec(name + ".wo", dim);

        if (LinearTasks.sameLayout(w.wGate(), w.wUp())) {
            LinearTasks.rmsNormGateUpSilu(g, "gateUp", ctx, s.x, w.ffnNorm(), w.wGate(), w.wUp(), s.hb, c.rmsEps());
            grids.matVec(name + ".gateUp", c.hiddenDim());
        } else {
            // the fused kernel reads both matrices in one layout; mixed files take three launches
            LinearTasks.rmsNormMatVec(g, "gate", ctx, s.x, w.ffnNorm(), w.wGate(), s.hb, c.rmsEps());
            grids.matVec(name + ".gate", c.hiddenDim());
            LinearTasks.rmsNormMatVec(g, "up", ctx, s.x, w.ffnNorm(), w.wUp(), s.hb2, c.rmsEps());
            grids.matVec(name + ".up", c.hiddenDim());
            g.task("silu", Activations::siluMul, ctx, s.hb, s.hb2, s.hb, c.hiddenDim());
            grids.elementwise(name + ".silu", c.hiddenDim());
        }
        LinearTasks.matVec(g, "down", ctx, w.wDown(), s.hb, s.x, 1);
        grids.matVec(name + ".down", dim);

        g.persistOnDevice(s.shared());
        return g;
    }

    /** Final RMSNorm and the output head on row {@code lastRow[0]} of {@code x}; the logits go to the host. */
    private static TaskGraph logits(LlamaConfig c, DeviceLlamaWeights w, DecoderState s, LaunchGrids grids) {
        TaskGraph g = new TaskGraph(LOGITS);
        KernelContext ctx = new KernelContext();
        g.consumeFromDevice(prefill(c.nLayers() - 1), s.shared());
        g.consumeFromDevice(decode(c.nLayers() - 1), s.shared());
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, s.lastRow);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w.outputArrays());
        g.task("lastRow", RowKernels::selectRow, ctx, s.x, s.lastRow, s.xLast, c.dim());
        grids.elementwise(LOGITS + ".lastRow", c.dim());
        LinearTasks.rmsNormMatVec(g, "output", ctx, s.xLast, w.outputNorm(), w.output(), s.logits, c.rmsEps());
        grids.matVec(LOGITS + ".output", c.vocabSize());
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, s.logits);
        g.persistOnDevice(s.shared());
        return g;
    }
}
