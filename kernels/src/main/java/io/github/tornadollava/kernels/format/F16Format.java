package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * IEEE half precision, little-endian.
 *
 * <p>{@link #dequantize} (MatMul's weight tiles) widens exactly (bit-exact with
 * {@link Float#float16ToFloat}, what GGML_FP16_TO_FP32 computes) with a counted loop that C2
 * compiles to {@code vcvtph2ps} on whole vectors (F16C): the Vector API has no half conversion
 * (JDK 25). That loop replaced an integer bit trick with infinities and NaNs blended in (ten vector
 * ops per eight halves): paired in one JVM, 2 threads, F16 GEMMs ran 1.10x (64x2048x2048), 1.04x
 * (64x5632x2048) and 1.02x (577x4096x1024, the ViT's fc1) as fast. F16WideningBenchmark compares
 * the two ways.
 *
 * <p>{@link #dot} widens in registers instead, three vector ops per eight halves before the FMA,
 * exact for every finite half; the exponent's rebias is one multiply per row. The decoder's matvec
 * ({@link #dotRows}) runs that kernel on four rows at a time.
 */
final class F16Format implements WeightFormat {

    private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;
    /** The half's exponent bias (15) moved to float's (127): 2^(127 - 15). */
    private static final float REBIAS = 0x1p112f;
    /** Sign, then the half's exponent and mantissa, once shifted left by 13. */
    private static final int SIGN_EXPONENT_MANTISSA = 0x8FFFE000;

    @Override
    public GGMLType type() {
        return GGMLType.F16;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        // vcvtph2ps on whole vectors wherever the CPU has F16C; one value at a time elsewhere
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = Blocks.f16(data, byteOffset + 2L * i);
        }
    }

    /**
     * Eight halves at a time, widened in registers: sign-extended to ints and shifted left by 13,
     * a half's sign lands on float's sign bit (the three copies of it below are masked off), its
     * exponent and mantissa on the low bits of float's. Read as a float that is the half times
     * 2^-112 (the exponent bias is 15 instead of 127), exactly, subnormal halves included; the
     * rebiasing multiply by 2^112 is applied once to the row's sum instead of to every vector.
     * Why: decode streams F16 rows from DRAM, and fewer instructions per byte keep more loads in
     * flight. Paired in one JVM (2 threads, the 1B shape's 2048-wide matrices, 22 alternations,
     * medians of three runs): 10.4 -> 11.2, 9.5 -> 9.9 and 10.9 -> 11.0 GB/s; small, but never
     * less. The cost: a product below 2^-126 before the rescale is a float subnormal, so it keeps
     * an absolute precision of 2^-149 x 2^112 = 2^-37 instead of 24 bits; that is far below the
     * rounding of any sum it is part of.
     * A half infinity or NaN (exponent 31) comes out as a finite float of magnitude 2^16..2^17
     * instead: a weight file holding one is broken either way, and checking for it would cost as
     * much as the widening.
     *
     * <p>This replaced widening 512 halves at a time into an L1 scratch with the vectorized
     * {@code Float.float16ToFloat} loop and running FMAs over it (each step paid the two loops'
     * set-up and scalar tails): paired in one JVM, 2048-wide rows, 1.06-1.18x in cache on one
     * thread, 1.08-1.16x from DRAM on two.
     */
    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        if (!Blocks.VECTORIZED) {
            return Blocks.dotByDequantizing(this, data, byteOffset, x, xOffset, n);
        }
        // two accumulators (even and odd eight-value steps): dotRows keeps two per row for four
        // rows, and a row's bits must not depend on which of the two computed it
        FloatVector acc0 = FloatVector.zero(Blocks.F), acc1 = acc0;
        int i = 0;
        for (int upper = n & -16; i < upper; i += 16) {
            long o = byteOffset + 2L * i;
            int xi = xOffset + i;
            acc0 = ((IntVector) ShortVector.fromMemorySegment(S8, data, o, Blocks.LE).convertShape(VectorOperators.S2I, Blocks.I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(Blocks.F, x, xi), acc0);
            acc1 = ((IntVector) ShortVector.fromMemorySegment(S8, data, o + 16, Blocks.LE).convertShape(VectorOperators.S2I, Blocks.I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(Blocks.F, x, xi + 8), acc1);
        }
        float sum = 0;
        for (; i < n; i++) {
            sum += Blocks.f16(data, byteOffset + 2L * i) * x[xOffset + i];
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        FloatVector v = acc0.add(acc1);
        return (((v.lane(0) + v.lane(4)) + (v.lane(2) + v.lane(6))) + ((v.lane(1) + v.lane(5)) + (v.lane(3) + v.lane(7)))) * REBIAS + sum;
    }

    /**
     * Four rows at a time, a quarter of the rows apart, each with {@link #dot}'s two accumulators
     * and order (so the same bits): decode streams F16 matrices from DRAM, and four streams per
     * thread keep more of it in flight than one; the activations are loaded once for the four.
     * Paired in one JVM, 2 threads, a 128 MiB matrix of 2048-wide rows (medians of ten
     * alternations against the previous dot, four accumulators on one row): the two-accumulator
     * dot alone 1.14x, four neighbouring rows 1.27x, and four rows a quarter apart (in chunks of
     * 256 rows; see Q8_0Format for why) 1.22x more.
     */
    @Override
    public void dotRows(MemorySegment data, long byteOffset, long rowBytes, int rows, float[] x, int xOffset, int n,
            float[] out, int outOffset) {
        int quarter = Blocks.VECTORIZED && n % 16 == 0 ? rows / 4 : 0;
        long stride = quarter * rowBytes;
        for (int r = 0; r < quarter; r++) {
            long o0 = byteOffset + r * rowBytes;
            long o1 = o0 + stride;
            long o2 = o1 + stride;
            long o3 = o2 + stride;
            // the four rows written out: vectors held in an array, or handed to a helper C2 does not
            // inline, are boxed (see Blocks)
            FloatVector a0 = FloatVector.zero(Blocks.F), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
            for (int i = 0; i < n; i += 16) {
                FloatVector xa = FloatVector.fromArray(Blocks.F, x, xOffset + i);
                FloatVector xb = FloatVector.fromArray(Blocks.F, x, xOffset + i + 8);
                long d = 2L * i;
                a0 = ((IntVector) ShortVector.fromMemorySegment(S8, data, o0 + d, Blocks.LE).convertShape(VectorOperators.S2I, Blocks.I, 0))
                        .lanewise(VectorOperators.LSHL, 13).and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(xa, a0);
                b0 = ((IntVector) ShortVector.fromMemorySegment(S8, data, o0 + d + 16, Blocks.LE).convertShape(VectorOperators.S2I, Blocks.I, 0))
                        .lanewise(VectorOperators.LSHL, 13).and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(xb, b0);
                a1 = ((IntVector) ShortVector.fromMemorySegment(S8, data, o1 + d, Blocks.LE).convertShape(VectorOperators.S2I, Blocks.I, 0))
                        .lanewise(VectorOperators.LSHL, 13).and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(xa, a1);
                b1 = ((IntVector) ShortVector.fromMemorySegment(S8, data, o1 + d + 16, Blocks.LE).convertShape(VectorOperators.S2I, Blocks.I, 0))
                        .lanewise(VectorOperators.LSHL, 13).and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(xb, b1);
                a2 = ((IntVector) ShortVector.fromMemorySegment(S8, data, o2 + d, Blocks.LE).convertShape(VectorOperators.S2I, Blocks.I, 0))
                        .lanewise(VectorOperators.LSHL, 13).and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(xa, a2);
                b2 = ((IntVector) ShortVector.fromMemorySegment(S8, data, o2 + d + 16, Blocks.LE).convertShape(VectorOperators.S2I, Blocks.I, 0))
                        .lanewise(VectorOperators.LSHL, 13).and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(xb, b2);
                a3 = ((IntVector) ShortVector.fromMemorySegment(S8, data, o3 + d, Blocks.LE).convertShape(VectorOperators.S2I, Blocks.I, 0))
                        .lanewise(VectorOperators.LSHL, 13).and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(xa, a3);
                b3 = ((IntVector) ShortVector.fromMemorySegment(S8, data, o3 + d + 16, Blocks.LE).convertShape(VectorOperators.S2I, Blocks.I, 0))
                        .lanewise(VectorOperators.LSHL, 13).and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(xb, b3);
            }
            FloatVector v0 = a0.add(b0), v1 = a1.add(b1), v2 = a2.add(b2), v3 = a3.add(b3);
            out[outOffset + r] = (((v0.lane(0) + v0.lane(4)) + (v0.lane(2) + v0.lane(6))) + ((v0.lane(1) + v0.lane(5)) + (v0.lane(3) + v0.lane(7)))) * REBIAS;
            out[outOffset + r + quarter] = (((v1.lane(0) + v1.lane(4)) + (v1.lane(2) + v1.lane(6))) + ((v1.lane(1) + v1.lane(5)) + (v1.lane(3) + v1.lane(7)))) * REBIAS;
            out[outOffset + r + 2 * quarter] = (((v2.lane(0) + v2.lane(4)) + (v2.lane(2) + v2.lane(6))) + ((v2.lane(1) + v2.lane(5)) + (v2.lane(3) + v2.lane(7)))) * REBIAS;
            out[outOffset + r + 3 * quarter] = (((v3.lane(0) + v3.lane(4)) + (v3.lane(2) + v3.lane(6))) + ((v3.lane(1) + v3.lane(5)) + (v3.lane(3) + v3.lane(7)))) * REBIAS;
        }
        for (int r = 4 * quarter; r < rows; r++) {
            out[outOffset + r] = dot(data, byteOffset + r * rowBytes, x, xOffset, n);
        }
    }

    /** F16 multiplies float activations (llama.cpp's F16 vec_dot_type is F16; ours stays float). */
    @Override
    public void dotRows(MemorySegment data, long byteOffset, long rowBytes, int rows, QuantizedActivations x, int n,
            float[] out, int outOffset) {
        ActivationType t = activationType();
        dotRows(data, byteOffset, rowBytes, rows, x.floats(t), x.floatsOffset(t), n, out, outOffset);
    }
}
