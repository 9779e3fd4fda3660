package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared reading helpers for the block formats. The vector kernels are written for 8 float lanes
 * (256-bit, AVX2): one lane per weight of an 8-weight slice of a block, which keeps the
 * nibble/bit-plane unpacking of every ggml layout a fixed, readable recipe. Where the hardware
 * has narrower vectors (where 256-bit vectors would be emulated, very slowly) the formats fall
 * back to {@link #dotByDequantizing}.
 */
final class Blocks {

    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;

    /** True when 8-lane float vectors are native; otherwise the scalar fallback is faster. */
    static final boolean VECTORIZED = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;

    /** Lane index 0..7, used to give each lane its own bit of a packed high-bit word. */
    static final IntVector IOTA = IntVector.fromArray(I, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 0);

    private static final int MAX_HALF_EXPONENT_BITS = 0x7c00;
    /** 2^112: rescales a half's exponent (bias 15) to a float's (bias 127); exact for every finite half. */
    private static final float HALF_TO_FLOAT_SCALE = 0x1p112f;

    private Blocks() {
    }

    /** An IEEE half stored little-endian at {@code offset}, widened exactly (GGML_FP16_TO_FP32). */
    static float f16(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(LE_SHORT, offset));
    }

    static int u8(MemorySegment s, long offset) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, offset));
    }

    /** The 8 bytes at {@code offset} as unsigned int lanes 0..255. */
    static IntVector u8x8(MemorySegment s, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B8, s, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /** The 8 bytes at {@code offset} as signed float lanes -128..127. */
    static FloatVector s8x8(MemorySegment s, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B8, s, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, F, 0);
    }

    static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    static FloatVector splat(float v) {
        return FloatVector.broadcast(F, v);
    }

    static FloatVector x8(float[] x, int offset) {
        return FloatVector.fromArray(F, x, offset);
    }

    /**
     * Eight IEEE halves at {@code offset} widened to floats, bit-exact with
     * {@link Float#float16ToFloat}. The Vector API has no half conversion, so this moves the
     * exponent/mantissa bits into float position and multiplies by 2^112, which is exact for
     * normal and subnormal halves alike; infinities and NaNs get the float's all-ones exponent.
     */
    static FloatVector f16x8(MemorySegment s, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S8, s, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = h.and(0x7fff);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).reinterpretAsInts();
        IntVector special = shifted.or(0x7f800000);
        IntVector bits = finite.blend(special, magnitude.compare(VectorOperators.GE, MAX_HALF_EXPONENT_BITS));
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** Eight bfloat16 values at {@code offset}: the float's upper 16 bits. */
    static FloatVector bf16x8(MemorySegment s, long offset) {
        return ((IntVector) ShortVector.fromMemorySegment(S8, s, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * The 6-bit scale and min of sub-block {@code j} (0..7) of a Q4_K/Q5_K super-block, packed in
     * 12 bytes at {@code scales} (ggml's get_scale_min_k4): sub-blocks 0..3 use the low 6 bits of
     * bytes 0..3 / 4..7; sub-blocks 4..7 put their low 4 bits in bytes 8..11 and borrow the top 2
     * bits of bytes 0..3 / 4..7. Returns {@code scale | min << 8}.
     */
    static int scaleMinK4(MemorySegment s, long scales, int j) {
        int sc;
        int m;
        if (j < 4) {
            sc = u8(s, scales + j) & 63;
            m = u8(s, scales + j + 4) & 63;
        } else {
            int packed = u8(s, scales + j + 4);
            sc = (packed & 0xF) | ((u8(s, scales + j - 4) >> 6) << 4);
            m = (packed >> 4) | ((u8(s, scales + j) >> 6) << 4);
        }
        return sc | m << 8;
    }

    /** Portable dot: decode a chunk of whole blocks, then multiply; used where vectors are narrow. */
    static float dotByDequantizing(WeightFormat format, MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        GGMLType type = format.type();
        int chunk = Math.max(256, type.blockSize);
        float[] w = new float[chunk];
        float sum = 0;
        for (int i = 0; i < n; i += chunk) {
            int len = Math.min(chunk, n - i);
            format.dequantize(data, byteOffset + type.byteSize(i), w, 0, len);
            for (int j = 0; j < len; j++) {
                sum += w[j] * x[xOffset + i + j];
            }
        }
        return sum;
    }
}
