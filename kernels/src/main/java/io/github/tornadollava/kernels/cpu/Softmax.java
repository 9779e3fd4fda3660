package io.github.tornadollava.kernels.cpu;

/** Numerically stable softmax in place over {@code x[off .. off+n)}. */
public final class Softmax {

    private Softmax() {
    }

    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0;
        for (int i = off; i < off + n; i++) {
            float e = (float) Math.exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = off; i < off + n; i++) {
            x[i] *= inv;
        }
    }
}
