package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared constants and scalar helpers of the block formats.
 *
 * <p>The vector kernels are written for 8 float lanes (256-bit, AVX2): one lane per weight of an
 * 8-weight slice of a block, which keeps the nibble/bit-plane unpacking of every ggml layout a
 * fixed recipe. Where 256-bit vectors are not native (they would be emulated, very slowly) the
 * formats fall back to {@link #dotByDequantizing}.
 *
 * <p>Why the dot kernels spell out their Vector API calls and even their scalar decoding (no
 * calls to helpers here while vectors are live): C2 only keeps vectors in registers when every
 * method they pass through, or live across, is inlined. The Vector API's own methods are
 * force-inlined, ours are not; once a kernel is inlined into a large caller C2 hits its
 * node-count cutoff, stops inlining our helpers, and the re-boxed vectors make the kernel 3x to
 * 30x slower (measured with JMH). The helpers below serve the scalar paths and dequantize.
 */
final class Blocks {

    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;

    /*
     * Constants of the integer kernels' 16-lane short vectors, as static finals: C2 reads them from
     * its constant table (or folds them into the instruction), where a scalar argument such as
     * v.and((short) 0xF) is rebuilt with a move and a broadcast at every use once registers run
     * short (Q4_0's loop: 129 -> 105 instructions per 4 blocks).
     *
     * Shifts of those short lanes are written as int shifts,
     * v.reinterpretAsInts().lanewise(LSHR, n).reinterpretAsShorts() followed by a mask that clears
     * the n bits each odd lane pushes into the even lane below it (left shifts only where no bit
     * can cross a lane): for a short shift C2 moves the count into a vector register at every use,
     * an int shift takes an immediate. Per super-block: Q4_K 268 -> 227 instructions, Q5_K
     * 380 -> 331, Q6_K 219 -> 193; one-thread matvec, paired in one JVM, +21%, +26%, +16%. They are
     * spelled out rather than put in a helper: these methods are past C2's inlining budget, and
     * a helper that is not inlined boxes its vectors (4-7x slower, measured).
     */
    static final ShortVector LOW_NIBBLE = ShortVector.broadcast(ShortVector.SPECIES_256, (short) 0xF);
    static final ShortVector EIGHT = ShortVector.broadcast(ShortVector.SPECIES_256, (short) 8);
    static final ShortVector THIRTY_TWO = ShortVector.broadcast(ShortVector.SPECIES_256, (short) 32);
    static final ShortVector BIT_4 = ShortVector.broadcast(ShortVector.SPECIES_256, (short) 0x10);
    static final ShortVector BITS_0_1 = ShortVector.broadcast(ShortVector.SPECIES_256, (short) 0x03);
    static final ShortVector BITS_2_3 = ShortVector.broadcast(ShortVector.SPECIES_256, (short) 0x0C);
    static final ShortVector BITS_4_5 = ShortVector.broadcast(ShortVector.SPECIES_256, (short) 0x30);

    /** True when 8-lane float vectors are native; otherwise the scalar fallback is faster. */
    static final boolean VECTORIZED = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;

    /** 0..31: lane i of the slice starting at k reads shift k + i (bit k + i of a packed word). */
    static final int[] LANE_INDEX = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    };

    private Blocks() {
    }

    /** An IEEE half stored little-endian at {@code offset}, widened exactly (GGML_FP16_TO_FP32). */
    static float f16(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(LE_SHORT, offset));
    }

    static int u8(MemorySegment s, long offset) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, offset));
    }

    /*
     * Q4_K/Q5_K pack the 6-bit scale and min of their 8 sub-blocks into 12 bytes (ggml's
     * get_scale_min_k4): sub-blocks 0..3 keep scale and min in the low 6 bits of bytes 0..3 and
     * 4..7; sub-blocks 4..7 keep their low 4 bits in the nibbles of bytes 8..11 and their top 2
     * bits in the top bits of bytes 0..3 (scales) and 4..7 (mins). Reading the 12 bytes as three
     * little-endian words decodes all 8 at once; byte j of the result belongs to sub-block j.
     */

    /** The 8 sub-block scales of a Q4_K/Q5_K super-block whose scale bytes start at {@code at}. */
    static long scalesK4(MemorySegment s, long at) {
        int w0 = s.get(LE_INT, at);
        int w2 = s.get(LE_INT, at + 8);
        int low = w0 & 0x3f3f3f3f;
        int high = (w2 & 0x0f0f0f0f) | (((w0 >>> 6) & 0x03030303) << 4);
        return Integer.toUnsignedLong(low) | (long) high << 32;
    }

    /** The 8 sub-block mins of a Q4_K/Q5_K super-block whose scale bytes start at {@code at}. */
    static long minsK4(MemorySegment s, long at) {
        int w1 = s.get(LE_INT, at + 4);
        int w2 = s.get(LE_INT, at + 8);
        int low = w1 & 0x3f3f3f3f;
        int high = ((w2 >>> 4) & 0x0f0f0f0f) | (((w1 >>> 6) & 0x03030303) << 4);
        return Integer.toUnsignedLong(low) | (long) high << 32;
    }

    /** Byte {@code j} of a packed word as 0..255. */
    static int byteOf(long packed, int j) {
        return (int) (packed >>> (8 * j)) & 0xFF;
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
