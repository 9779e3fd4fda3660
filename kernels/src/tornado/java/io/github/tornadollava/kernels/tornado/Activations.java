package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Element-wise activations and additions, one thread per element; launch with
 * {@link Grids#elementwise(int, int)} over {@code n} (the grid is rounded up, hence the guards).
 * Output arrays may be the input arrays only where stated.
 */
public final class Activations {

    private static final float INV_SQRT2 = 0.70710678118654752f;

    private Activations() {
    }

    /**
     * Complementary error function with fractional error below 1.2e-7 everywhere (the
     * Chebyshev fit of Numerical Recipes' {@code erfcc}). Abramowitz-Stegun 7.1.26 (~1.5e-7
     * absolute, but relative error growing in the tail) is not enough for the 1e-4 budget on the
     * final embeddings after 24 layers, and OpenCL/PTX offer no portable {@code erf} through
     * TornadoVM.
     */
    public static float erfc(float x) {
        float z = TornadoMath.abs(x);
        float t = 1.0f / (1.0f + 0.5f * z);
        float poly = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
                + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
        float r = t * TornadoMath.exp(-z * z + poly);
        float result = r;
        if (x < 0.0f) {
            result = 2.0f - r;
        }
        return result;
    }

    /**
     * Error function, absolute error about 1.5e-7: {@code 1 - erfc(x)} (odd-extended), except for
     * {@code |x| < 0.5}, where that difference would cancel and the Maclaurin series
     * {@code 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))} (7 terms) is used instead.
     */
    public static float erf(float x) {
        float z = TornadoMath.abs(x);
        float z2 = z * z;
        float result;
        if (z < 0.5f) {
            result = z * (1.1283791671f + z2 * (-0.37612638903f + z2 * (0.11283791671f + z2 * (-0.026866170645f + z2 * (0.0052239776254f
                    + z2 * (-0.00085483270234f + z2 * 0.00012055332982f))))));
        } else {
            result = 1.0f - erfc(z);
        }
        if (x < 0.0f) {
            result = -result;
        }
        return result;
    }

    /**
     * Exact GELU, {@code x * (1 + erf(x / sqrt 2)) / 2}, evaluated as
     * {@code x * erfc(-x / sqrt 2) / 2}: same value, but for negative {@code x} (where GELU is
     * tiny) it avoids the cancellation in {@code 1 + erf}.
     */
    public static float gelu(float x) {
        return 0.5f * x * erfc(-x * INV_SQRT2);
    }

    /** {@code out = gelu(x)} (exact, erf-based); {@code out} may be {@code x}. */
    public static void geluErf(KernelContext ctx, FloatArray x, FloatArray out, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            out.set(i, gelu(x.get(i)));
        }
    }

    /** CLIP's quick GELU, {@code x * sigmoid(1.702 x)}; {@code out} may be {@code x}. */
    public static void quickGelu(KernelContext ctx, FloatArray x, FloatArray out, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            float v = x.get(i);
            out.set(i, v / (1.0f + TornadoMath.exp(-1.702f * v)));
        }
    }

    /** {@code out = x * sigmoid(x)}; {@code out} may be {@code x}. */
    public static void silu(KernelContext ctx, FloatArray x, FloatArray out, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            float v = x.get(i);
            out.set(i, v / (1.0f + TornadoMath.exp(-v)));
        }
    }

    /** SwiGLU combine for prefill, {@code out = silu(gate) * up}; {@code out} may be {@code gate}. */
    public static void siluMul(KernelContext ctx, FloatArray gate, FloatArray up, FloatArray out, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            float g = gate.get(i);
            out.set(i, g / (1.0f + TornadoMath.exp(-g)) * up.get(i));
        }
    }

    /** {@code out = a + b}. */
    public static void add(KernelContext ctx, FloatArray a, FloatArray b, FloatArray out, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            out.set(i, a.get(i) + b.get(i));
        }
    }

    /** Residual connection in place: {@code x += delta}. */
    public static void addInPlace(KernelContext ctx, FloatArray x, FloatArray delta, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            x.set(i, x.get(i) + delta.get(i));
        }
    }

    /** Row-wise bias in place: {@code x[t][c] += bias[c]} for {@code n = tokens * rowLength} values. */
    public static void addBias(KernelContext ctx, FloatArray x, FloatArray bias, int rowLength, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            x.set(i, x.get(i) + bias.get(i % rowLength));
        }
    }
}
