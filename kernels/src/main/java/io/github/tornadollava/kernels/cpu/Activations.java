package io.github.tornadollava.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Element-wise activations of CLIP (quick-GELU), the LLaVA projector (exact GELU) and LLaMA (SiLU). */
public final class Activations {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Activations() {
    }

    /**
     * CLIP's quick_gelu, x * sigmoid(1.702 x), over {@code n} values. Vector exp (within 1 ulp,
     * like Math.exp) because one scalar exp per element of 577 x 4096 per block was several
     * percent of the encode.
     */
    public static void quickGelu(float[] x, int off, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            FloatVector e = v.mul(-1.702f).lanewise(VectorOperators.EXP);
            v.div(e.add(1f)).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            float v = x[off + i];
            x[off + i] = v / (1f + (float) Math.exp(-1.702f * v));
        }
    }

    /** Exact GELU 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.GELU() with approximate='none'. */
    public static void gelu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1.0 + erf(v / Math.sqrt(2.0))));
        }
    }

    /**
     * {@code gate[i] = silu(gate[i]) * up[i]}: LLaMA's gated FFN. Vector exp as in
     * {@link #quickGelu}: one scalar exp per element of a prefill's 64 x 5632 gate rows per layer
     * was 1.5% of a 1B prompt.
     */
    public static void siluMul(float[] gate, int gOff, float[] up, int uOff, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, gate, gOff + i);
            FloatVector e = g.neg().lanewise(VectorOperators.EXP);
            g.div(e.add(1f)).mul(FloatVector.fromArray(S, up, uOff + i)).intoArray(gate, gOff + i);
        }
        for (; i < n; i++) {
            float g = gate[gOff + i];
            gate[gOff + i] = g / (1f + (float) Math.exp(-g)) * up[uOff + i];
        }
    }

    /**
     * erf to double precision via the all-positive series
     * erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)), which has no cancellation;
     * the projector's GELU must match torch's erf within float rounding.
     */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (ax >= 6.0) {
            return Math.copySign(1.0, x);
        }
        double x2 = ax * ax;
        double term = ax;
        double sum = ax;
        for (int n = 1; n < 200; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        double r = 1.1283791670955126 * Math.exp(-x2) * sum;
        return Math.copySign(Math.min(r, 1.0), x);
    }
}
