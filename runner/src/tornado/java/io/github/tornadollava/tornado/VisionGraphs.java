package io.github.tornadollava.tornado;

import java.util.ArrayList;
import java.util.List;

import io.github.tornadollava.kernels.tornado.Activations;
import io.github.tornadollava.kernels.tornado.Attention;
import io.github.tornadollava.kernels.tornado.Embeddings;
import io.github.tornadollava.kernels.tornado.Norms;
import io.github.tornadollava.tornado.kernels.RowKernels;
import io.github.tornadollava.vision.ClipConfig;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The task graphs of a {@link TornadoVisionEncoder}, run in this order for every image:
 * <pre>
 * visionEmbed    pixels -> im2col -> patch mat-mul -> CLS first, + position embeddings -> pre-LN -> x
 * visionBlock<i> x += attn_out(MHA(ln1 x));  x += ffn_down(act(ffn_up(ln2 x)))   (full attention)
 * projector      drop the CLS row -> mm.0 -> GELU -> mm.2 -> to the host, or into a slot of the image store
 * </pre>
 * The residual stream {@code x} and the block scratch buffers stay on the device: each graph
 * consumes them from the one before and persists them for the next. Only the pixels go up. A
 * standalone encoder's embeddings come down after every image; in a multimodal plan
 * ({@link TornadoMultimodal}) the projector copies them into the {@link DeviceImageStore} slot
 * that the decoder's prefill reads, persists the store, and sends them down only on request
 * ({@code UNDER_DEMAND}, for {@code encode}).
 */
final class VisionGraphs {

    static final String EMBED = "visionEmbed";
    static final String PROJECTOR = "projector";

    private VisionGraphs() {
    }

    static String block(int i) {
        return "visionBlock" + i;
    }

    /** The buffers of one image; rows are tokens (CLS + patches) or patches. */
    static final class Buffers {
        final FloatArray pixels;
        final FloatArray patches;    // patch count x 3*p*p
        final FloatArray patchOut;   // patch count x width
        final FloatArray embedded;   // tokens x width, before the pre-LN
        final FloatArray x;          // residual stream, tokens x width
        final FloatArray xn;         // LayerNorm output, tokens x width
        final FloatArray q;
        final FloatArray k;
        final FloatArray v;
        final FloatArray att;
        final FloatArray hidden;     // tokens x ffn width
        final FloatArray features;   // patch count x width: x without its CLS row
        final FloatArray projHidden; // patch count x projector hidden width
        final FloatArray out;        // patch count x LM width (projHidden itself for the linear projector)
        final FloatArray noBias = new FloatArray(1);

        Buffers(ClipConfig c, DeviceVisionWeights w) {
            int n = c.positionCount();
            int np = c.patchCount();
            int e = c.embeddingLength();
            pixels = new FloatArray(c.pixelCount());
            patches = new FloatArray(np * 3 * c.patchSize() * c.patchSize());
            patchOut = new FloatArray(np * e);
            embedded = new FloatArray(n * e);
            x = new FloatArray(n * e);
            xn = new FloatArray(n * e);
            q = new FloatArray(n * e);
            k = new FloatArray(n * e);
            v = new FloatArray(n * e);
            att = new FloatArray(n * e);
            hidden = new FloatArray(Math.multiplyExact(n, c.feedForwardLength()));
            features = new FloatArray(np * e);
            projHidden = new FloatArray(Math.multiplyExact(np, w.mm0().rows()));
            out = w.mm2() == null ? projHidden : new FloatArray(Math.multiplyExact(np, w.outputDim()));
        }

        /** What a block hands to the next. */
        Object[] blockState() {
            return new Object[] {x, xn, q, k, v, att, hidden};
        }
    }

    /** @param store where the projector leaves the embeddings for a decoder of the same plan, or null to send them to the host */
    static List<TaskGraph> build(ClipConfig c, DeviceVisionWeights w, Buffers b, LaunchGrids grids, DeviceImageStore store) {
        List<TaskGraph> graphs = new ArrayList<>();
        graphs.add(embed(c, w, b, grids));
        for (int i = 0; i < w.blocks().size(); i++) {
            graphs.add(block(c, i, w.blocks().get(i), b, grids));
        }
        graphs.add(projector(c, w, b, grids, store));
        return graphs;
    }

    private static TaskGraph embed(ClipConfig c, DeviceVisionWeights w, Buffers b, LaunchGrids grids) {
        TaskGraph g = new TaskGraph(EMBED);
        KernelContext ctx = new KernelContext();
        int np = c.patchCount();
        int n = c.positionCount();
        int e = c.embeddingLength();
        int p = c.patchSize();
        boolean bias = w.patchBias() != null;
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, b.pixels);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w.patchEmbedding().arrays());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, bias ? w.patchBias() : b.noBias, w.classEmbedding(), w.positionEmbedding(),
                w.preLnWeight(), w.preLnBias());
        g.task("im2col", Embeddings::im2col, ctx, b.pixels, b.patches, 3, c.imageSize(), p);
        grids.elementwise(EMBED + ".im2col", np * 3 * p * p);
        LinearTasks.matMul(g, "patch", ctx, b.patches, w.patchEmbedding(), bias ? w.patchBias() : b.noBias, b.patchOut, np, bias, false);
        grids.matMul(EMBED + ".patch", np, e);
        g.task("clsPosition", Embeddings::prependClsAddPosition, ctx, b.patchOut, w.classEmbedding(), w.positionEmbedding(), b.embedded, np, e);
        grids.elementwise(EMBED + ".clsPosition", n * e);
        g.task("preLn", Norms::layerNorm, ctx, b.embedded, w.preLnWeight(), w.preLnBias(), b.x, e, c.layerNormEps());
        grids.norm(EMBED + ".preLn", n);
        g.persistOnDevice(b.x);
        return g;
    }

    private static TaskGraph block(ClipConfig c, int i, DeviceVisionWeights.Block w, Buffers b, LaunchGrids grids) {
        String name = block(i);
        TaskGraph g = new TaskGraph(name);
        KernelContext ctx = new KernelContext();
        int n = c.positionCount();
        int e = c.embeddingLength();
        int ff = c.feedForwardLength();
        float eps = c.layerNormEps();
        if (i == 0) {
            g.consumeFromDevice(EMBED, b.x);
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, b.xn, b.q, b.k, b.v, b.att, b.hidden);
        } else {
            g.consumeFromDevice(block(i - 1), b.blockState());
        }
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w.arrays());

        g.task("ln1", Norms::layerNorm, ctx, b.x, w.ln1Weight(), w.ln1Bias(), b.xn, e, eps);
        grids.norm(name + ".ln1", n);
        LinearTasks.matMul(g, "q", ctx, b.xn, w.attnQ(), w.attnQBias(), b.q, n, true, false);
        grids.matMul(name + ".q", n, e);
        LinearTasks.matMul(g, "k", ctx, b.xn, w.attnK(), w.attnKBias(), b.k, n, true, false);
        grids.matMul(name + ".k", n, e);
        LinearTasks.matMul(g, "v", ctx, b.xn, w.attnV(), w.attnVBias(), b.v, n, true, false);
        grids.matMul(name + ".v", n, e);
        g.task("attention", Attention::fullAttention, ctx, b.q, b.k, b.v, b.att, n, c.headCount(), c.headCount(), c.headDim(),
                (float) (1.0 / Math.sqrt(c.headDim())));
        grids.attention(name + ".attention", n, c.headCount(), c.headDim());
        LinearTasks.matMul(g, "out", ctx, b.att, w.attnOut(), w.attnOutBias(), b.x, n, true, true);
        grids.matMul(name + ".out", n, e);

        g.task("ln2", Norms::layerNorm, ctx, b.x, w.ln2Weight(), w.ln2Bias(), b.xn, e, eps);
        grids.norm(name + ".ln2", n);
        LinearTasks.matMul(g, "up", ctx, b.xn, w.ffnUp(), w.ffnUpBias(), b.hidden, n, true, false);
        grids.matMul(name + ".up", n, ff);
        if (c.useGelu()) {
            g.task("act", Activations::geluErf, ctx, b.hidden, b.hidden, n * ff);
        } else {
            g.task("act", Activations::quickGelu, ctx, b.hidden, b.hidden, n * ff);
        }
        grids.elementwise(name + ".act", n * ff);
        LinearTasks.matMul(g, "down", ctx, b.hidden, w.ffnDown(), w.ffnDownBias(), b.x, n, true, true);
        grids.matMul(name + ".down", n, e);
        g.persistOnDevice(b.blockState());
        return g;
    }

    private static TaskGraph projector(ClipConfig c, DeviceVisionWeights w, Buffers b, LaunchGrids grids, DeviceImageStore store) {
        TaskGraph g = new TaskGraph(PROJECTOR);
        KernelContext ctx = new KernelContext();
        int np = c.patchCount();
        int e = c.embeddingLength();
        int blocks = w.blocks().size();
        g.consumeFromDevice(blocks == 0 ? EMBED : block(blocks - 1), b.x);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w.mm0().arrays());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w.mm0Bias());
        g.task("dropCls", RowKernels::copyFrom, ctx, b.x, b.features, e, np * e);
        grids.elementwise(PROJECTOR + ".dropCls", np * e);
        LinearTasks.matMul(g, "mm0", ctx, b.features, w.mm0(), w.mm0Bias(), b.projHidden, np, true, false);
        grids.matMul(PROJECTOR + ".mm0", np, w.mm0().rows());
        if (w.mm2() != null) {
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w.mm2().arrays());
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w.mm2Bias());
            // LLaVA-1.5's projector_hidden_act is the exact erf GELU, unlike the ViT's quick GELU
            g.task("gelu", Activations::geluErf, ctx, b.projHidden, b.projHidden, np * w.mm0().rows());
            grids.elementwise(PROJECTOR + ".gelu", np * w.mm0().rows());
            LinearTasks.matMul(g, "mm2", ctx, b.projHidden, w.mm2(), w.mm2Bias(), b.out, np, true, false);
            grids.matMul(PROJECTOR + ".mm2", np, w.outputDim());
        }
        if (store == null) {
            g.transferToHost(DataTransferMode.EVERY_EXECUTION, b.out);
        } else {
            int n = np * w.outputDim();
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, store.slot);
            g.task("toSlot", RowKernels::copyToSlot, ctx, b.out, store.slot, store.rows, n);
            grids.elementwise(PROJECTOR + ".toSlot", n);
            g.transferToHost(DataTransferMode.UNDER_DEMAND, b.out);
            g.persistOnDevice(store.rows);
        }
        return g;
    }
}
