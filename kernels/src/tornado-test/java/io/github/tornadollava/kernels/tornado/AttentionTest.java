package io.github.tornadollava.kernels.tornado;

import static io.github.tornadollava.kernels.tornado.DeviceTests.assertClose;
import static io.github.tornadollava.kernels.tornado.DeviceTests.execute;
import static io.github.tornadollava.kernels.tornado.DeviceTests.floats;
import static io.github.tornadollava.kernels.tornado.DeviceTests.random;

import java.util.Random;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** RoPE, the fused RoPE + KV-cache write, and both attention kernels. */
class AttentionTest {

    private static final double BASE = 10000.0;

    /** llama.cpp NORM rope (adjacent pairs) of {@code tokens x heads * headDim} in double. */
    private static double[] rope(float[] x, int[] positions, int heads, int headDim) {
        double[] out = new double[x.length];
        for (int t = 0; t < positions.length; t++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < headDim / 2; i++) {
                    double angle = positions[t] * Math.pow(BASE, -2.0 * i / headDim);
                    int idx = (t * heads + h) * headDim + 2 * i;
                    out[idx] = x[idx] * Math.cos(angle) - x[idx + 1] * Math.sin(angle);
                    out[idx + 1] = x[idx] * Math.sin(angle) + x[idx + 1] * Math.cos(angle);
                }
            }
        }
        return out;
    }

    /** Softmax attention of one query over {@code nKeys} rows of a {@code [key][kvDim]} store. */
    private static void attend(double[] q, int qOffset, float[] keys, float[] values, int storeOffset, int nKeys, int kvDim, int kvHead, int headDim, double scale,
            double[] out, int outOffset) {
        double[] scores = new double[nKeys];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < nKeys; j++) {
            double s = 0;
            for (int d = 0; d < headDim; d++) {
                s += q[qOffset + d] * keys[storeOffset + j * kvDim + kvHead * headDim + d];
            }
            scores[j] = s * scale;
            max = Math.max(max, scores[j]);
        }
        double sum = 0;
        for (int j = 0; j < nKeys; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
        }
        for (int d = 0; d < headDim; d++) {
            double o = 0;
            for (int j = 0; j < nKeys; j++) {
                o += scores[j] * values[storeOffset + j * kvDim + kvHead * headDim + d];
            }
            out[outOffset + d] = o / sum;
        }
    }

    @Test
    void ropeLargePositions() {
        int tokens = 3;
        int heads = 2;
        int headDim = 64;
        int[] positions = {0, 1, 4000};
        Random random = new Random(60);
        float[] x = random(random, tokens * heads * headDim, 2f);
        FloatArray xa = floats(x);
        IntArray pos = IntArray.fromArray(positions);
        DoubleArray freqs = Rope.inverseFrequencies(headDim, BASE);
        TaskGraph graph = new TaskGraph("rope") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, pos, freqs) //
                .task("t", Rope::rope, new KernelContext(), xa, pos, freqs, tokens, heads, headDim) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, xa);
        execute(graph, "rope", Grids.elementwise(tokens * heads * headDim / 2, 64));
        assertClose(rope(x, positions, heads, headDim), xa, 2e-6, 2e-6);
    }

    /**
     * A decoder step as the LLaMA task graph will run it: RoPE + cache append, then causal GQA
     * attention over layer 1 of a two-layer cache. Executed twice with other positions and
     * inputs, which checks that the positions really are read from the device each time.
     */
    @Test
    void ropeCacheWriteThenCausalAttention() throws TornadoExecutionPlanException {
        int tokens = 3;
        int nHeads = 4;
        int nKv = 2;
        int headDim = 32;
        int maxSeq = 48;
        int kvDim = nKv * headDim;
        int layer = 1;
        int cacheOffset = layer * maxSeq * kvDim;
        float scale = (float) (1 / Math.sqrt(headDim));
        Random random = new Random(61);

        float[] keyCache = random(random, 2 * maxSeq * kvDim, 1f);
        float[] valueCache = random(random, 2 * maxSeq * kvDim, 1f);
        FloatArray keyCacheA = floats(keyCache);
        FloatArray valueCacheA = floats(valueCache);
        FloatArray q = new FloatArray(tokens * nHeads * headDim);
        FloatArray k = new FloatArray(tokens * kvDim);
        FloatArray v = new FloatArray(tokens * kvDim);
        FloatArray out = new FloatArray(tokens * nHeads * headDim);
        IntArray positions = new IntArray(tokens);
        DoubleArray freqs = Rope.inverseFrequencies(headDim, BASE);

        KernelContext ctx = new KernelContext();
        TaskGraph graph = new TaskGraph("dec") //
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, keyCacheA, valueCacheA, freqs) //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, q, k, v, positions) //
                .task("rope", Rope::ropeAndCacheWrite, ctx, q, k, v, keyCacheA, valueCacheA, positions, freqs, tokens, nHeads, nKv, headDim, cacheOffset) //
                .task("attn", Attention::causalAttention, ctx, q, keyCacheA, valueCacheA, out, positions, cacheOffset, nHeads, nKv, headDim, scale) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, q, out, keyCacheA, valueCacheA);
        GridScheduler scheduler = new GridScheduler();
        scheduler.addWorkerGrid("dec.rope", Grids.elementwise(tokens * nHeads * headDim / 2, 64));
        scheduler.addWorkerGrid("dec.attn", Grids.perRow(tokens * nHeads, 32));

        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.withGridScheduler(scheduler);
            // first step: 40 keys for the last token, more than one 32-key chunk; then early positions
            for (int[] pos : new int[][] {{37, 38, 39}, {5, 6, 7}}) {
                float[] qh = random(random, tokens * nHeads * headDim, 1f);
                float[] kh = random(random, tokens * kvDim, 1f);
                float[] vh = random(random, tokens * kvDim, 1f);
                for (int i = 0; i < qh.length; i++) {
                    q.set(i, qh[i]);
                }
                for (int i = 0; i < kh.length; i++) {
                    k.set(i, kh[i]);
                    v.set(i, vh[i]);
                }
                for (int t = 0; t < tokens; t++) {
                    positions.set(t, pos[t]);
                }
                plan.execute();

                double[] qRot = rope(qh, pos, nHeads, headDim);
                double[] kRot = rope(kh, pos, nKv, headDim);
                for (int t = 0; t < tokens; t++) {
                    for (int e = 0; e < kvDim; e++) {
                        keyCache[cacheOffset + pos[t] * kvDim + e] = (float) kRot[t * kvDim + e];
                        valueCache[cacheOffset + pos[t] * kvDim + e] = vh[t * kvDim + e];
                    }
                }
                double[] expected = new double[tokens * nHeads * headDim];
                for (int t = 0; t < tokens; t++) {
                    for (int h = 0; h < nHeads; h++) {
                        int base = (t * nHeads + h) * headDim;
                        attend(qRot, base, keyCache, valueCache, cacheOffset, pos[t] + 1, kvDim, h / (nHeads / nKv), headDim, scale, expected, base);
                    }
                }
                assertClose(qRot, q, 1e-5, 1e-5);
                double[] cacheExpected = new double[keyCache.length];
                for (int i = 0; i < keyCache.length; i++) {
                    cacheExpected[i] = keyCache[i];
                }
                assertClose(cacheExpected, keyCacheA, 1e-5, 1e-5);
                assertClose(expected, out, 1e-5, 1e-4);
            }
        }
    }

    @Test
    void fullAttentionVision() {
        int tokens = 37;
        int heads = 2;
        int headDim = 16;
        int dim = heads * headDim;
        float scale = (float) (1 / Math.sqrt(headDim));
        Random random = new Random(62);
        float[] q = random(random, tokens * dim, 2f);
        float[] k = random(random, tokens * dim, 2f);
        float[] v = random(random, tokens * dim, 2f);
        FloatArray qa = floats(q);
        FloatArray ka = floats(k);
        FloatArray va = floats(v);
        FloatArray out = new FloatArray(tokens * dim);
        TaskGraph graph = new TaskGraph("vit") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, qa, ka, va) //
                .task("t", Attention::fullAttention, new KernelContext(), qa, ka, va, out, tokens, heads, heads, headDim, scale) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        // 16 threads per group: 37 keys take three chunks
        execute(graph, "vit", Grids.perRow(tokens * heads, 16));
        double[] qd = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            qd[i] = q[i];
        }
        double[] expected = new double[tokens * dim];
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                attend(qd, base, k, v, 0, tokens, dim, h, headDim, scale, expected, base);
            }
        }
        assertClose(expected, out, 1e-5, 1e-4);
    }
}
