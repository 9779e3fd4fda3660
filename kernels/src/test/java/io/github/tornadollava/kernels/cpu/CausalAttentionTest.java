package io.github.tornadollava.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blocked prompt attention against a double-precision causal reference over the same cache
 * contents. Shapes hit the edges: batches below, at and above a query block (1, 5, 16, 17, 40),
 * batches starting after earlier positions (so the causal mask sits inside the key range) and
 * crossing the cache's 256-position chunks, grouped-query heads, and head sizes that are not a
 * multiple of the kernels' 4-column step.
 */
class CausalAttentionTest {

    private final int threadsBefore = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    @Test
    void matchesCausalReference() {
        int[][] shapes = {
                // rows, pos0, nHeads, kvGroup, headDim
                {1, 0, 1, 1, 4}, {5, 0, 2, 1, 5}, {16, 3, 4, 4, 8}, {17, 0, 2, 2, 6}, {40, 250, 4, 2, 64},
                {33, 300, 2, 1, 128}, {3, 511, 8, 4, 7},
        };
        Random rnd = new Random(5);
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                check(rnd, s[0], s[1], s[2], s[3], s[4], "threads=" + threads);
            }
        }
    }

    @Test
    void rejectsRowsPastTheCache() {
        try (KVCache cache = new KVCache(1, 1, 4, 8)) {
            float[] q = new float[4 * 4];
            assertThrows(IllegalArgumentException.class, () -> CausalAttention.forward(cache, 0, q, q, 4, 6, 1, 1, 1f));
            assertThrows(IllegalArgumentException.class, () -> CausalAttention.forward(cache, 0, q, q, 5, 0, 1, 1, 1f));
        }
    }

    private static void check(Random rnd, int rows, int pos0, int nHeads, int kvGroup, int d, String what) {
        int kvHeads = nHeads / kvGroup;
        int positions = pos0 + rows;
        float[] keys = random(rnd, positions * kvHeads * d);
        float[] values = random(rnd, positions * kvHeads * d);
        float[] q = random(rnd, rows * nHeads * d);
        float[] out = new float[rows * nHeads * d];
        float scale = (float) (1 / Math.sqrt(d));
        try (KVCache cache = new KVCache(2, kvHeads, d, positions + 3)) {
            for (int t = 0; t < positions; t++) {
                cache.store(1, t, keys, t * kvHeads * d, values, t * kvHeads * d);
            }
            CausalAttention.forward(cache, 1, q, out, rows, pos0, nHeads, kvGroup, scale);
        }
        for (int i = 0; i < rows; i++) {
            for (int h = 0; h < nHeads; h++) {
                int kv = (h / kvGroup) * d;
                int len = pos0 + i + 1;
                double[] s = new double[len];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < len; t++) {
                    for (int c = 0; c < d; c++) {
                        s[t] += (double) q[(i * nHeads + h) * d + c] * keys[t * kvHeads * d + kv + c];
                    }
                    s[t] *= scale;
                    max = Math.max(max, s[t]);
                }
                double sum = 0;
                for (int t = 0; t < len; t++) {
                    s[t] = Math.exp(s[t] - max);
                    sum += s[t];
                }
                for (int c = 0; c < d; c++) {
                    double o = 0;
                    for (int t = 0; t < len; t++) {
                        o += s[t] / sum * values[t * kvHeads * d + kv + c];
                    }
                    assertEquals(o, out[(i * nHeads + h) * d + c], 1e-5, what + " rows=" + rows + " pos0=" + pos0
                            + " row " + i + " head " + h + " column " + c);
                }
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
