package io.github.tornadollava.kernels.cpu;

/** Row normalizations shared by the ViT (LayerNorm) and the decoder (RMSNorm). */
public final class Norms {

    private Norms() {
    }

    /** {@code out = x / sqrt(mean(x^2) + eps) * weight}, over {@code n} values; out may alias x. */
    public static void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            ss += v * v;
        }
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOff + i] = x[xOff + i] * scale * weight[i];
        }
    }

    /** {@code out = (x - mean) / sqrt(var + eps) * weight + bias}; out may alias x. */
    public static void layernorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[xOff + i];
        }
        double mean = sum / n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            double d = x[xOff + i] - mean;
            var += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(var / n + eps));
        float m = (float) mean;
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (x[xOff + i] - m) * inv * weight[i] + bias[i];
        }
    }
}
