package io.github.tornadollava.kernels.cpu;

/**
 * Rotary position embedding on adjacent pairs (2i, 2i+1), llama.cpp's LLAMA rope type (GGUF q/k
 * weights are stored permuted for it). Angles in double, as the reference computes them, then
 * rounded to float once per position and shared by every head.
 */
public final class Rope {

    private Rope() {
    }

    /** {@code base^(-2i/ropeDim)} for each of the ropeDim/2 rotated pairs. */
    public static double[] inverseFrequencies(double base, int ropeDim) {
        double[] out = new double[ropeDim / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.pow(base, -2.0 * i / ropeDim);
        }
        return out;
    }

    /** cos and sin of {@code position * invFreq[i]} (position already divided by any linear scaling). */
    public static void angles(double position, double[] invFreq, float[] cos, float[] sin) {
        for (int i = 0; i < invFreq.length; i++) {
            double a = position * invFreq[i];
            cos[i] = (float) Math.cos(a);
            sin[i] = (float) Math.sin(a);
        }
    }

    /** Rotates the first {@code 2 * cos.length} values of each of {@code heads} heads of {@code headDim} from {@code offset}. */
    public static void rotate(float[] vec, int offset, int heads, int headDim, float[] cos, float[] sin) {
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < cos.length; i++) {
                int j = base + 2 * i;
                float x0 = vec[j];
                float x1 = vec[j + 1];
                vec[j] = x0 * cos[i] - x1 * sin[i];
                vec[j + 1] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
