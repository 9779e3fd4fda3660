package io.github.tornadollava.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Row normalizations shared by the ViT (LayerNorm) and the decoder (RMSNorm). */
public final class Norms {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

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

    /**
     * {@code out = (x - mean) / sqrt(var + eps) * weight + bias}; out may alias x. Vectorized with
     * float lane sums (the ViT runs it on 577 rows of 1024 twice per block); the variance is the
     * two-pass sum of squared deviations, so large means cost no precision.
     */
    public static void layernorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n, float eps) {
        int upper = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < upper; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, x, xOff + i));
        }
        float sum = 0;
        for (int l = 0; l < S.length(); l++) {
            sum += acc.lane(l); // in lane order in every JIT tier (reduceLanes is not: see Lanes)
        }
        for (; i < n; i++) {
            sum += x[xOff + i];
        }
        float mean = sum / n;
        FloatVector m = FloatVector.broadcast(S, mean);
        acc = FloatVector.zero(S);
        for (i = 0; i < upper; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, xOff + i).sub(m);
            acc = d.fma(d, acc);
        }
        float var = 0;
        for (int l = 0; l < S.length(); l++) {
            var += acc.lane(l); // in lane order in every JIT tier (reduceLanes is not: see Lanes)
        }
        for (; i < n; i++) {
            float d = x[xOff + i] - mean;
            var += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(var / n + eps));
        for (i = 0; i < upper; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, xOff + i).sub(m).mul(inv);
            d.fma(FloatVector.fromArray(S, weight, i), FloatVector.fromArray(S, bias, i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = (x[xOff + i] - mean) * inv * weight[i] + bias[i];
        }
    }
}
