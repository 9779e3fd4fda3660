package io.github.tornadollava.kernels.tornado;

/**
 * IEEE-754 half decoding that compiles on every TornadoVM backend. {@code HalfFloatArray} maps to
 * OpenCL {@code half}, which needs {@code cl_khr_fp16} (PoCL's CPU device lacks it), and the
 * bit-cast intrinsics ({@code Float.intBitsToFloat}) are not lowered by TornadoVM, so the value
 * is rebuilt with integer ops and exact power-of-two products instead.
 */
public final class Fp16 {

    private Fp16() {
    }

    /**
     * Widens raw half bits to float. Exact for every finite half: a normal value is
     * {@code (1024 + mantissa) * 2^(exponent - 25)}, where both factors and their product are
     * exactly representable; a subnormal is {@code mantissa * 2^-24}. Infinities and NaNs (never
     * present in model weights) come out as large finite values.
     */
    public static float decode(short bits) {
        int h = bits & 0xFFFF;
        int exponent = (h >> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        float magnitude;
        if (exponent == 0) {
            magnitude = mantissa * 0x1p-24f;
        } else {
            magnitude = (float) (mantissa | 0x400) * (float) (1 << exponent) * 0x1p-25f;
        }
        // one exit: early returns in inlined helpers mis-lower on some TornadoVM backends
        float value = magnitude;
        if ((h & 0x8000) != 0) {
            value = -magnitude;
        }
        return value;
    }
}
