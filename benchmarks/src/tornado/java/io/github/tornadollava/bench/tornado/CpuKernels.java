package io.github.tornadollava.bench.tornado;

import java.util.Arrays;

import io.github.tornadollava.kernels.cpu.Norms;
import io.github.tornadollava.kernels.cpu.Parallel;
import io.github.tornadollava.kernels.cpu.Softmax;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU side of the comparisons whose CPU code lives inside the model's classes (attention and
 * RoPE in LlamaDecoder, the vision tower's attention and im2col) or that the model runs as a
 * parallel loop around a one-row kernel of {@code kernels.cpu}. Each loop is written the way the
 * model writes it (same work split over {@link Parallel}, same Vector API dot/axpy), so the CPU
 * timings are what the CPU backend spends on that step.
 */
final class CpuKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

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
     * RoPE (adjacent pairs) in place over {@code tokens x heads * headDim}, tokens in parallel:
     * LlamaDecoder's ropeAngles (angle in double, cos/sin rounded to float) and rotate.
     */
    static void rope(float[] x, int[] positions, double[] invFreq, int tokens, int heads, int headDim) {
        Parallel.forRange(tokens, 1, (start, end) -> {
            float[] cos = new float[invFreq.length];
            float[] sin = new float[invFreq.length];
            for (int t = start; t < end; t++) {
                for (int i = 0; i < invFreq.length; i++) {
                    double a = positions[t] * invFreq[i];
                    cos[i] = (float) Math.cos(a);
                    sin[i] = (float) Math.sin(a);
                }
                for (int h = 0; h < heads; h++) {
                    int base = (t * heads + h) * headDim;
                    for (int i = 0; i < invFreq.length; i++) {
                        int j = base + 2 * i;
                        float x0 = x[j];
                        float x1 = x[j + 1];
                        x[j] = x0 * cos[i] - x1 * sin[i];
                        x[j + 1] = x0 * sin[i] + x1 * cos[i];
                    }
                }
            }
        });
    }

    /**
     * Causal attention of {@code rows} query rows at positions {@code pos0 + i} over a KV cache laid
     * out as the CPU decoder keeps it, head-major ({@code [kvHead][position][d]}, {@code capacity}
     * positions per head), one work item per (head, row) as in LlamaDecoder.attentionItems.
     */
    static void causalAttention(float[] q, float[] keys, float[] values, float[] out, int pos0, int rows, int heads, int kvHeads, int headDim, int capacity,
            float scale) {
        int qDim = heads * headDim;
        int group = heads / kvHeads;
        Parallel.forRange(heads * rows, 1, (start, end) -> {
            float[] scores = new float[pos0 + rows];
            for (int item = start; item < end; item++) {
                int h = item / rows;
                int i = item % rows;
                int kvBase = (h / group) * capacity * headDim;
                int len = pos0 + i + 1;
                int qo = i * qDim + h * headDim;
                for (int t = 0; t < len; t++) {
                    scores[t] = dot(q, qo, keys, kvBase + t * headDim, headDim) * scale;
                }
                Softmax.softmax(scores, 0, len);
                Arrays.fill(out, qo, qo + headDim, 0f);
                for (int t = 0; t < len; t++) {
                    axpy(scores[t], values, kvBase + t * headDim, out, qo, headDim);
                }
            }
        });
    }

    /** The vision tower's attention: every token attends to all, q/k/v/out {@code tokens x heads * headDim}. */
    static void fullAttention(float[] q, float[] k, float[] v, float[] out, int n, int heads, int d) {
        int e = heads * d;
        float scale = (float) (1.0 / Math.sqrt(d));
        Parallel.forRange(heads * n, 16, (start, end) -> {
            float[] scores = new float[n];
            for (int item = start; item < end; item++) {
                int h = item / n;
                int i = item % n;
                int qo = i * e + h * d;
                for (int j = 0; j < n; j++) {
                    scores[j] = dot(q, qo, k, j * e + h * d, d) * scale;
                }
                Softmax.softmax(scores, 0, n);
                Arrays.fill(out, qo, qo + d, 0f);
                for (int j = 0; j < n; j++) {
                    axpy(scores[j], v, j * e + h * d, out, qo, d);
                }
            }
        });
    }

    /** Patches of a CHW image as rows of {@code (c, ky, kx)}, patch rows in parallel. */
    static void im2col(float[] image, float[] patches, int channels, int size, int patch) {
        int grid = size / patch;
        int length = channels * patch * patch;
        Parallel.forRange(grid * grid, 16, (start, end) -> {
            for (int p = start; p < end; p++) {
                int py = (p / grid) * patch;
                int px = (p % grid) * patch;
                int o = p * length;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < patch; ky++) {
                        System.arraycopy(image, (c * size + py + ky) * size + px, patches, o, patch);
                        o += patch;
                    }
                }
            }
        });
    }

    static float dot(float[] a, int ao, float[] b, int bo, int len) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(len); i < upper; i += F.length()) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    static void axpy(float a, float[] x, int xo, float[] y, int yo, int len) {
        FloatVector va = FloatVector.broadcast(F, a);
        int i = 0;
        for (int upper = F.loopBound(len); i < upper; i += F.length()) {
            va.fma(FloatVector.fromArray(F, x, xo + i), FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < len; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }
}
