package io.github.tornadollava.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Element-wise activations of CLIP (quick-GELU), the LLaVA projector (exact GELU) and LLaMA (SiLU). */
public final class Activations {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final FloatVector TWO = FloatVector.broadcast(S, 2f);
    /** Numerical Recipes' erfcc: {@code erfc(z) = t exp(-z^2 + sum_k c_k t^k)}, {@code t = 1 / (1 + z / 2)}. */
    private static final float[] ERFC_COEFFS = {-1.26551223f, 1.00002368f, 0.37409196f, 0.09678418f, -0.18628806f,
            0.27886807f, -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f};
    private static final FloatVector C0 = FloatVector.broadcast(S, ERFC_COEFFS[0]);
    private static final FloatVector C1 = FloatVector.broadcast(S, ERFC_COEFFS[1]);
    private static final FloatVector C2 = FloatVector.broadcast(S, ERFC_COEFFS[2]);
    private static final FloatVector C3 = FloatVector.broadcast(S, ERFC_COEFFS[3]);
    private static final FloatVector C4 = FloatVector.broadcast(S, ERFC_COEFFS[4]);
    private static final FloatVector C5 = FloatVector.broadcast(S, ERFC_COEFFS[5]);
    private static final FloatVector C6 = FloatVector.broadcast(S, ERFC_COEFFS[6]);
    private static final FloatVector C7 = FloatVector.broadcast(S, ERFC_COEFFS[7]);
    private static final FloatVector C8 = FloatVector.broadcast(S, ERFC_COEFFS[8]);
    private static final FloatVector C9 = FloatVector.broadcast(S, ERFC_COEFFS[9]);

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

    /**
     * Exact GELU {@code 0.5 x (1 + erf(x / sqrt 2))}, as torch.nn.GELU() with approximate='none',
     * evaluated as {@code 0.5 x erfc(-x / sqrt 2)}: the same value, without the cancellation in
     * {@code 1 + erf} where GELU is tiny (negative x). erfc is Numerical Recipes' {@code erfcc}
     * (a Chebyshev fit, fractional error below 1.2e-7 everywhere), in vectors with the Vector
     * API's exp; the TornadoVM kernel uses the same fit. It replaced a double-precision series per
     * element (~49 ns each, 576 x 4096 of them in a LLaVA-1.5 projector).
     */
    public static void gelu(float[] x, int off, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            FloatVector a = v.mul(-INV_SQRT2);
            FloatVector z = a.abs();
            FloatVector t = ONE.div(z.fma(0.5f, 1f));
            FloatVector p = t.mul(C9).add(C8).fma(t, C7).fma(t, C6).fma(t, C5).fma(t, C4).fma(t, C3).fma(t, C2)
                    .fma(t, C1).fma(t, C0);
            FloatVector r = t.mul(z.mul(z).neg().add(p).lanewise(VectorOperators.EXP));
            FloatVector erfc = r.blend(TWO.sub(r), a.lt(0f));
            v.mul(0.5f).mul(erfc).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] = gelu(x[off + i]);
        }
    }

    /** {@link #gelu(float[], int, int)} of one value, the same operations in scalar form. */
    static float gelu(float x) {
        float a = x * -INV_SQRT2;
        float z = Math.abs(a);
        float t = 1f / Math.fma(z, 0.5f, 1f);
        float p = Math.fma(t, ERFC_COEFFS[9], ERFC_COEFFS[8]);
        for (int k = 7; k >= 0; k--) {
            p = Math.fma(p, t, ERFC_COEFFS[k]);
        }
        float r = t * (float) Math.exp(-(z * z) + p);
        return x * 0.5f * (a < 0f ? 2f - r : r);
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
}
