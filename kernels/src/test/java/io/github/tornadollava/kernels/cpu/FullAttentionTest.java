package io.github.tornadollava.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blocked attention against a per-(head, query) double-precision reference. Shapes hit the
 * edges of the blocking: token counts below, at and above a multiple of the query block and of the
 * 4-key step (1, 3, 16, 19, 577), head sizes that are not a multiple of the 4-column step, and rows
 * wider than heads x headDim (other columns must be left alone).
 */
class FullAttentionTest {

    private final int threadsBefore = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    @Test
    void matchesDoubleReference() {
        int[][] shapes = {
                // tokens, heads, headDim, stride
                {1, 1, 4, 4}, {3, 2, 5, 10}, {16, 1, 8, 8}, {19, 3, 6, 20}, {33, 2, 64, 128}, {577, 2, 64, 130},
        };
        Random rnd = new Random(11);
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                check(rnd, s[0], s[1], s[2], s[3], "threads=" + threads);
            }
        }
    }

    @Test
    void rejectsHeadsWiderThanTheRows() {
        float[] a = new float[64];
        assertThrows(IllegalArgumentException.class, () -> FullAttention.forward(a, a, a, a, 4, 3, 6, 16, 1f));
    }

    private static void check(Random rnd, int n, int heads, int d, int stride, String what) {
        float[] q = random(rnd, n * stride), k = random(rnd, n * stride), v = random(rnd, n * stride);
        float[] out = new float[n * stride];
        java.util.Arrays.fill(out, 42f);
        float scale = (float) (1 / Math.sqrt(d));
        FullAttention.forward(q, k, v, out, n, heads, d, stride, scale);
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    for (int c = 0; c < d; c++) {
                        s[j] += (double) q[i * stride + h * d + c] * k[j * stride + h * d + c];
                    }
                    s[j] *= scale;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int c = 0; c < d; c++) {
                    double o = 0;
                    for (int j = 0; j < n; j++) {
                        o += s[j] / sum * v[j * stride + h * d + c];
                    }
                    assertEquals(o, out[i * stride + h * d + c], 1e-5,
                            what + " n=" + n + " head " + h + " query " + i + " column " + c);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int c = heads * d; c < stride; c++) {
                assertEquals(42f, out[i * stride + c], what + ": column " + c + " outside the heads was written");
            }
        }
    }

    private static float[] random(Random rnd, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }
}
