package io.github.tornadollava.bench.tornado;

import io.github.tornadollava.kernels.cpu.KVCache;
import io.github.tornadollava.kernels.cpu.Norms;
import io.github.tornadollava.kernels.cpu.Parallel;
import io.github.tornadollava.kernels.cpu.Rope;
import io.github.tornadollava.kernels.cpu.Softmax;

/**
 * The CPU side of the comparisons that the model runs as a parallel loop around a one-row (or
 * one-query) kernel of {@code kernels.cpu}: the same kernels with the same work split over
 * {@link Parallel}, so the CPU timings are what the CPU backend spends on that step.
 */
final class CpuKernels {

    private CpuKernels() {
    }

    /** RMSNorm of each of {@code rows} rows, rows in parallel (LlamaDecoder.rmsnormRows). */
    static void rmsNormRows(float[] out, float[] x, float[] weight, int rows, int dim, float eps) {
        Parallel.forRange(rows, 8, (start, end) -> {
            for (int r = start; r < end; r++) {
                Norms.rmsnorm(out, r * dim, x, r * dim, weight, dim, eps);
            }
        });
    }

    /** LayerNorm of each row, rows in parallel (the vision tower's pre-norms). */
    static void layerNormRows(float[] out, float[] x, float[] weight, float[] bias, int rows, int dim, float eps) {
        Parallel.forRange(rows, 8, (start, end) -> {
            for (int r = start; r < end; r++) {
                Norms.layernorm(out, r * dim, x, r * dim, weight, bias, dim, eps);
            }
        });
    }

    /** Softmax of each row in place, rows in parallel. */
    static void softmaxRows(float[] x, int rows, int cols) {
        Parallel.forRange(rows, 1, (start, end) -> {
            for (int r = start; r < end; r++) {
                Softmax.softmax(x, r * cols, cols);
            }
        });
    }

    /**
     * RoPE (adjacent pairs) in place over {@code tokens x heads * headDim}, tokens in parallel, with
     * the decoder's kernel ({@link Rope}); the decoder runs it per row of a batch.
     */
    static void rope(float[] x, int[] positions, double[] invFreq, int tokens, int heads, int headDim) {
        Parallel.forRange(tokens, 1, (start, end) -> {
            float[] cos = new float[invFreq.length];
            float[] sin = new float[invFreq.length];
            for (int t = start; t < end; t++) {
                Rope.angles(positions[t], invFreq, cos, sin);
                Rope.rotate(x, t * heads * headDim, heads, headDim, cos, sin);
            }
        });
    }

    /**
     * Causal attention of {@code rows} query rows at positions {@code pos0 + i} over the CPU
     * decoder's {@link KVCache} (one layer), one work item per (head, row) as LlamaDecoder splits it.
     */
    static void causalAttention(float[] q, KVCache cache, float[] out, int pos0, int rows, int heads, int kvHeads, int headDim,
            float scale) {
        int qDim = heads * headDim;
        int group = heads / kvHeads;
        Parallel.forRange(heads * rows, 1, (start, end) -> {
            float[] scores = new float[pos0 + rows];
            for (int item = start; item < end; item++) {
                int h = item / rows;
                int i = item % rows;
                cache.attend(0, h / group, q, i * qDim + h * headDim, pos0 + i + 1, scale, scores, 0, out);
            }
        });
    }
}
