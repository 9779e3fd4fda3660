package io.github.tornadollava.kernels.cpu;

import io.github.tornadollava.kernels.simd.Lanes;

/**
 * Numerically stable softmax in place over {@code x[off .. off+n)}: a decode step's attention
 * scores. The exps run in vectors ({@link Lanes#exp(float[], int, int)}, the same bits in every
 * JIT tier) instead of one scalar Math.exp per score. Measured, KVCache.attend on one thread,
 * paired in one JVM: 1.35x at 512 positions of head size 64, 1.31x at 64, 1.05x at 616 of 128.
 */
public final class Softmax {

    private Softmax() {
    }

    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) {
            max = Math.max(max, x[i]);
        }
        for (int i = off; i < off + n; i++) {
            x[i] -= max;
        }
        Lanes.exp(x, off, n);
        float sum = 0;
        for (int i = off; i < off + n; i++) {
            sum += x[i];
        }
        float inv = 1f / sum;
        for (int i = off; i < off + n; i++) {
            x[i] *= inv;
        }
    }
}
