package io.github.tornadollava.kernels.cpu;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** One decode query's attention over the cache against a float64 reference. */
class KVCacheTest {

    /**
     * Head sizes that take the eight-key scoring (multiples of 8) and one that does not; lengths
     * with and without a remainder after groups of eight keys, and past the first cache chunk.
     */
    @Test
    void attendMatchesTheReference() {
        Random rnd = new Random(11);
        for (int headDim : new int[] {64, 128, 12}) {
            for (int len : new int[] {1, 7, 8, 9, 64, KVCache.CHUNK + 45, 2 * KVCache.CHUNK + 1}) {
                check(rnd, 2, headDim, len);
            }
        }
    }

    private static void check(Random rnd, int kvHeads, int headDim, int len) {
        int kvDim = kvHeads * headDim;
        float[] k = new float[len * kvDim];
        float[] v = new float[len * kvDim];
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) rnd.nextGaussian();
            v[i] = (float) rnd.nextGaussian();
        }
        float[] q = new float[kvDim];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rnd.nextGaussian();
        }
        float scale = (float) (1 / Math.sqrt(headDim));
        try (KVCache cache = new KVCache(1, kvHeads, headDim, len)) {
            for (int t = 0; t < len; t++) {
                cache.store(0, t, k, t * kvDim, v, t * kvDim);
            }
            float[] out = new float[kvDim];
            float[] scores = new float[len + 3];
            for (int h = 0; h < kvHeads; h++) {
                cache.attend(0, h, q, h * headDim, len, scale, scores, 3, out);
                double[] want = reference(q, k, v, h, headDim, kvDim, len, scale);
                for (int c = 0; c < headDim; c++) {
                    double err = Math.abs(out[h * headDim + c] - want[c]);
                    assertTrue(err < 1e-5, "head size " + headDim + ", " + len + " positions, head " + h + " column " + c
                            + ": " + out[h * headDim + c] + " vs " + want[c]);
                }
            }
        }
    }

    private static double[] reference(float[] q, float[] k, float[] v, int h, int d, int kvDim, int len, float scale) {
        double[] s = new double[len];
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < len; t++) {
            double dot = 0;
            for (int c = 0; c < d; c++) {
                dot += (double) q[h * d + c] * k[t * kvDim + h * d + c];
            }
            s[t] = dot * scale;
            max = Math.max(max, s[t]);
        }
        double sum = 0;
        for (int t = 0; t < len; t++) {
            s[t] = Math.exp(s[t] - max);
            sum += s[t];
        }
        double[] out = new double[d];
        for (int t = 0; t < len; t++) {
            for (int c = 0; c < d; c++) {
                out[c] += s[t] / sum * v[t * kvDim + h * d + c];
            }
        }
        return out;
    }
}
