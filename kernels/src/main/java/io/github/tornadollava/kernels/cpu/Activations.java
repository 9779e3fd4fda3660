package io.github.tornadollava.kernels.cpu;

import io.github.tornadollava.kernels.simd.Lanes;

import jdk.incubator.vector.FloatVector;
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
    /**
     * Values per pass: each activation writes the exp arguments of a chunk to a scratch row, runs
     * {@link Lanes#exp(float[], int, int)} over it, then finishes the chunk. Vectors never cross a
     * call there, so a caller that inlines these methods cannot push the exp out of line and box
     * every vector (a JMH loop around an inlined quickGelu did: 5x slower). A chunk and its
     * scratch stay in L1.
     */
    private static final int CHUNK = 512;
    /** Per thread: exp arguments, then (gelu) the t of each value. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[2 * CHUNK]);

    private Activations() {
    }

    /**
     * CLIP's quick_gelu, x * sigmoid(1.702 x), over {@code n} values. Vector exp
     * ({@link Lanes#exp(float[], int, int)}: within 1 ulp of e^x, the same bits in every JIT tier)
     * because one scalar exp per element of 577 x 4096 per block was several percent of the encode.
     */
    public static void quickGelu(float[] x, int off, int n) {
        sigmoidWeighted(x, off, 1.702f, null, 0, n);
    }

    /**
     * Exact GELU {@code 0.5 x (1 + erf(x / sqrt 2))}, as torch.nn.GELU() with approximate='none',
     * evaluated as {@code 0.5 x erfc(-x / sqrt 2)}: the same value, without the cancellation in
     * {@code 1 + erf} where GELU is tiny (negative x). erfc is Numerical Recipes' {@code erfcc}
     * (a Chebyshev fit, fractional error below 1.2e-7 everywhere), in vectors with
     * {@link Lanes#exp(float[], int, int)}; the TornadoVM kernel uses the same fit. It replaced a
     * double-precision series per element (~49 ns each, 576 x 4096 of them in a LLaVA-1.5 projector).
     */
    public static void gelu(float[] x, int off, int n) {
        float[] scratch = SCRATCH.get();
        for (int c = 0; c < n; c += CHUNK) {
            int m = Math.min(CHUNK, n - c);
            int base = off + c;
            int upper = S.loopBound(m);
            int i = 0;
            for (; i < upper; i += S.length()) {
                FloatVector z = FloatVector.fromArray(S, x, base + i).mul(-INV_SQRT2).abs();
                FloatVector t = ONE.div(z.fma(0.5f, 1f));
                FloatVector p = t.fma(C9, C8).fma(t, C7).fma(t, C6).fma(t, C5).fma(t, C4).fma(t, C3).fma(t, C2)
                        .fma(t, C1).fma(t, C0);
                z.mul(z).neg().add(p).intoArray(scratch, i);
                t.intoArray(scratch, CHUNK + i);
            }
            for (; i < m; i++) {
                float z = Math.abs(x[base + i] * -INV_SQRT2);
                float t = 1f / Math.fma(z, 0.5f, 1f);
                scratch[i] = -(z * z) + erfcPolynomial(t);
                scratch[CHUNK + i] = t;
            }
            Lanes.exp(scratch, 0, m);
            for (i = 0; i < upper; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, base + i);
                FloatVector r = FloatVector.fromArray(S, scratch, CHUNK + i).mul(FloatVector.fromArray(S, scratch, i));
                FloatVector erfc = r.blend(TWO.sub(r), v.mul(-INV_SQRT2).lt(0f));
                v.mul(0.5f).mul(erfc).intoArray(x, base + i);
            }
            for (; i < m; i++) {
                float v = x[base + i];
                float r = scratch[CHUNK + i] * scratch[i];
                x[base + i] = v * 0.5f * (v * -INV_SQRT2 < 0f ? 2f - r : r);
            }
        }
    }

    /** {@code sum_k c_k t^k} by Horner's rule in fmas, as the vector code evaluates it. */
    private static float erfcPolynomial(float t) {
        float p = Math.fma(t, ERFC_COEFFS[9], ERFC_COEFFS[8]);
        for (int k = 7; k >= 0; k--) {
            p = Math.fma(p, t, ERFC_COEFFS[k]);
        }
        return p;
    }

    /**
     * {@code gate[i] = silu(gate[i]) * up[i]}: LLaMA's gated FFN. Vector exp as in
     * {@link #quickGelu}: one scalar exp per element of a prefill's 64 x 5632 gate rows per layer
     * was 1.5% of a 1B prompt.
     */
    public static void siluMul(float[] gate, int gOff, float[] up, int uOff, int n) {
        sigmoidWeighted(gate, gOff, 1f, up, uOff, n);
    }

    /** {@code x[i] = x[i] * sigmoid(k x[i])}, times {@code up[i]} when {@code up} is given. */
    private static void sigmoidWeighted(float[] x, int off, float k, float[] up, int uOff, int n) {
        float[] e = SCRATCH.get();
        for (int c = 0; c < n; c += CHUNK) {
            int m = Math.min(CHUNK, n - c);
            int x0 = off + c;
            int u0 = uOff + c;
            int upper = S.loopBound(m);
            int i = 0;
            for (; i < upper; i += S.length()) {
                FloatVector.fromArray(S, x, x0 + i).mul(-k).intoArray(e, i);
            }
            for (; i < m; i++) {
                e[i] = x[x0 + i] * -k;
            }
            Lanes.exp(e, 0, m);
            for (i = 0; i < upper; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, x0 + i).div(FloatVector.fromArray(S, e, i).add(1f));
                if (up != null) {
                    v = v.mul(FloatVector.fromArray(S, up, u0 + i));
                }
                v.intoArray(x, x0 + i);
            }
            for (; i < m; i++) {
                float v = x[x0 + i] / (e[i] + 1f);
                x[x0 + i] = up != null ? v * up[u0 + i] : v;
            }
        }
    }
}
