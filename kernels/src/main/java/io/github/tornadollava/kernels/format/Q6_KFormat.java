package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml block_q6_K: 210 bytes for 256 weights =
 * {@code uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d} (the scale comes last). Each half
 * of 128 weights uses 64 bytes of ql and 32 of qh: for l in 0..31, ql[l] and ql[l+32] give the
 * low nibbles of weights l, l+32 (low nibble) and l+64, l+96 (high nibble), and the four 2-bit
 * fields of qh[l] give their top bits. Sixteen weights share a signed 8-bit scale.
 * weight = (d * scale) * (q - 32).
 *
 * <p>The vector kernel unpacks a whole half at once in 32 byte lanes (l = 0..31), which gives
 * four rows q1..q4 of 32 signed 6-bit weights; each row is widened to floats 8 lanes at a time.
 */
final class Q6_KFormat implements WeightFormat {

    private static final int BLOCK = 256;
    private static final int BYTES = 210;
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;

    @Override
    public GGMLType type() {
        return GGMLType.Q6_K;
    }

    @Override
    public ActivationType activationType() {
        return ActivationType.Q8_K;
    }

    private static int scale(MemorySegment data, long scales, int i) {
        return data.get(ValueLayout.JAVA_BYTE, scales + i);
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        if (!Blocks.VECTORIZED) {
            dequantizeScalar(data, byteOffset, out, outOffset, n);
            return;
        }
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o + 208);
            for (int half = 0; half < 2; half++) {
                long ql = o + 64L * half;
                long qh = o + 128 + 32L * half;
                long sc = o + 192 + 8L * half;
                int y = outOffset + b * BLOCK + 128 * half;
                ByteVector a = ByteVector.fromMemorySegment(B32, data, ql, Blocks.LE);
                ByteVector c = ByteVector.fromMemorySegment(B32, data, ql + 32, Blocks.LE);
                ByteVector h = ByteVector.fromMemorySegment(B32, data, qh, Blocks.LE);
                ByteVector q1 = a.and((byte) 0xF).or(h.and((byte) 0x03).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                ByteVector q2 = c.and((byte) 0xF).or(h.and((byte) 0x0C).lanewise(VectorOperators.LSHL, 2)).sub((byte) 32);
                ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(h.and((byte) 0x30)).sub((byte) 32);
                ByteVector q4 = c.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30)).sub((byte) 32);
                for (int part = 0; part < 4; part++) {
                    int is = part / 2;
                    int l = 8 * part;
                    ((FloatVector) q1.convertShape(VectorOperators.B2F, Blocks.F, part)).mul(d * data.get(ValueLayout.JAVA_BYTE, sc + is)).intoArray(out, y + l);
                    ((FloatVector) q2.convertShape(VectorOperators.B2F, Blocks.F, part)).mul(d * data.get(ValueLayout.JAVA_BYTE, sc + is + 2)).intoArray(out, y + l + 32);
                    ((FloatVector) q3.convertShape(VectorOperators.B2F, Blocks.F, part)).mul(d * data.get(ValueLayout.JAVA_BYTE, sc + is + 4)).intoArray(out, y + l + 64);
                    ((FloatVector) q4.convertShape(VectorOperators.B2F, Blocks.F, part)).mul(d * data.get(ValueLayout.JAVA_BYTE, sc + is + 6)).intoArray(out, y + l + 96);
                }
            }
        }
    }

    /** ggml's dequantize_row_q6_K, four weights per step. Used where vectors are narrow; tested everywhere. */
    static void dequantizeScalar(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o + 208);
            for (int half = 0; half < 2; half++) {
                long ql = o + 64L * half;
                long qh = o + 128 + 32L * half;
                long sc = o + 192 + 8L * half;
                int y = outOffset + b * BLOCK + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int a = Blocks.u8(data, ql + l);
                    int c = Blocks.u8(data, ql + l + 32);
                    int h = Blocks.u8(data, qh + l);
                    int q1 = ((a & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((c & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = ((a >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = ((c >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    out[y + l] = d * scale(data, sc, is) * q1;
                    out[y + l + 32] = d * scale(data, sc, is + 2) * q2;
                    out[y + l + 64] = d * scale(data, sc, is + 4) * q3;
                    out[y + l + 96] = d * scale(data, sc, is + 6) * q4;
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        if (!Blocks.VECTORIZED) {
            return Blocks.dotByDequantizing(this, data, byteOffset, x, xOffset, n);
        }
        FloatVector acc = FloatVector.zero(Blocks.F);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(Blocks.LE_SHORT, o + 208));
            for (int half = 0; half < 2; half++) {
                long ql = o + 64L * half;
                long qh = o + 128 + 32L * half;
                long sc = o + 192 + 8L * half;
                int xi = xOffset + b * BLOCK + 128 * half;
                ByteVector a = ByteVector.fromMemorySegment(B32, data, ql, Blocks.LE);
                ByteVector c = ByteVector.fromMemorySegment(B32, data, ql + 32, Blocks.LE);
                ByteVector h = ByteVector.fromMemorySegment(B32, data, qh, Blocks.LE);
                ByteVector q1 = a.and((byte) 0xF).or(h.and((byte) 0x03).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                ByteVector q2 = c.and((byte) 0xF).or(h.and((byte) 0x0C).lanewise(VectorOperators.LSHL, 2)).sub((byte) 32);
                ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(h.and((byte) 0x30)).sub((byte) 32);
                ByteVector q4 = c.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30)).sub((byte) 32);
                // l in [16p, 16p+16) = byte parts 2p and 2p+1 share scale p (+2, +4, +6 for rows q2..q4)
                for (int p = 0; p < 2; p++) {
                    int l0 = 16 * p;
                    int l1 = 16 * p + 8;
                    FloatVector s1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, Blocks.F, 2 * p)).mul(FloatVector.fromArray(Blocks.F, x, xi + l0));
                    s1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, Blocks.F, 2 * p + 1)).fma(FloatVector.fromArray(Blocks.F, x, xi + l1), s1);
                    FloatVector s2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, Blocks.F, 2 * p)).mul(FloatVector.fromArray(Blocks.F, x, xi + 32 + l0));
                    s2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, Blocks.F, 2 * p + 1)).fma(FloatVector.fromArray(Blocks.F, x, xi + 32 + l1), s2);
                    FloatVector s3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, Blocks.F, 2 * p)).mul(FloatVector.fromArray(Blocks.F, x, xi + 64 + l0));
                    s3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, Blocks.F, 2 * p + 1)).fma(FloatVector.fromArray(Blocks.F, x, xi + 64 + l1), s3);
                    FloatVector s4 = ((FloatVector) q4.convertShape(VectorOperators.B2F, Blocks.F, 2 * p)).mul(FloatVector.fromArray(Blocks.F, x, xi + 96 + l0));
                    s4 = ((FloatVector) q4.convertShape(VectorOperators.B2F, Blocks.F, 2 * p + 1)).fma(FloatVector.fromArray(Blocks.F, x, xi + 96 + l1), s4);
                    // combine the four row sums first: one add on the loop-carried chain
                    FloatVector t = s1.mul(d * data.get(ValueLayout.JAVA_BYTE, sc + p)).add(s2.mul(d * data.get(ValueLayout.JAVA_BYTE, sc + p + 2)));
                    FloatVector u = s3.mul(d * data.get(ValueLayout.JAVA_BYTE, sc + p + 4)).add(s4.mul(d * data.get(ValueLayout.JAVA_BYTE, sc + p + 6)));
                    acc = acc.add(t.add(u));
                }
            }
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        return ((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)));
    }

    /**
     * ggml_vec_dot_q6_K_q8_K: integer sums per 16 weights (one scale each), scaled in int lanes,
     * one float FMA per block. The unpacking is done in 16-bit lanes (x86 has no byte shifts, which
     * the Vector API would emulate): for l in one 16-wide part of a half, ql, ql + 32 and qh widen
     * to shorts and give rows q1..q4 (weights l, l + 32, l + 64, l + 96). A product
     * (q - 32) * x is at most 32 * 127 = 4064 in magnitude, so the sum of an adjacent pair fits a
     * short: {@code (p + (p << 16)) >> 16} of the pair read as one int is that sum, and a block's
     * int sum stays below 2^25.
     */
    @Override
    public float dot(MemorySegment data, long byteOffset, QuantizedActivations x, int n) {
        if (!Blocks.VECTORIZED || !x.hasQ8_K()) {
            return WeightFormat.super.dot(data, byteOffset, x, n);
        }
        short[] xq = x.kq;
        float[] xs = x.kScale;
        FloatVector acc = FloatVector.zero(Blocks.F);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            IntVector sum = IntVector.zero(Blocks.I);
            for (int half = 0; half < 2; half++) {
                long ql = o + 64L * half;
                long qh = o + 128 + 32L * half;
                // the half's 8 signed scales as one little-endian word (byte k = scale k)
                long sc = data.get(Blocks.LE_LONG, o + 192 + 8L * half);
                int xi = b * BLOCK + 128 * half;
                // the two 16-wide parts written out: as a 2-trip loop C2 spends more on loop set-up than on them
                { // l in [0, 16): row r uses scale 0 + 2r of the half
                    ShortVector a = (ShortVector) ByteVector.fromMemorySegment(B16, data, ql + 0, Blocks.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                    ShortVector c = (ShortVector) ByteVector.fromMemorySegment(B16, data, ql + 32, Blocks.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                    ShortVector h = (ShortVector) ByteVector.fromMemorySegment(B16, data, qh + 0, Blocks.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                    IntVector p1 = a.and(Blocks.LOW_NIBBLE)
                            .or(h.and(Blocks.BITS_0_1).reinterpretAsInts().lanewise(VectorOperators.LSHL, 4).reinterpretAsShorts())
                            .sub(Blocks.THIRTY_TWO)
                            .mul(ShortVector.fromArray(S16, xq, xi + 0)).reinterpretAsInts();
                    IntVector p2 = c.and(Blocks.LOW_NIBBLE)
                            .or(h.and(Blocks.BITS_2_3).reinterpretAsInts().lanewise(VectorOperators.LSHL, 2).reinterpretAsShorts())
                            .sub(Blocks.THIRTY_TWO)
                            .mul(ShortVector.fromArray(S16, xq, xi + 32)).reinterpretAsInts();
                    IntVector p3 = a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                            .or(h.and(Blocks.BITS_4_5)).sub(Blocks.THIRTY_TWO)
                            .mul(ShortVector.fromArray(S16, xq, xi + 64)).reinterpretAsInts();
                    IntVector p4 = c.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                            .or(h.reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsShorts().and(Blocks.BITS_4_5))
                            .sub(Blocks.THIRTY_TWO)
                            .mul(ShortVector.fromArray(S16, xq, xi + 96)).reinterpretAsInts();
                    IntVector s1 = p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 0));
                    IntVector s2 = p2.add(p2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 16));
                    IntVector s3 = p3.add(p3.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 32));
                    IntVector s4 = p4.add(p4.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 48));
                    sum = sum.add(s1.add(s2).add(s3.add(s4)));
                }
                { // l in [16, 32): row r uses scale 1 + 2r of the half
                    ShortVector a = (ShortVector) ByteVector.fromMemorySegment(B16, data, ql + 16, Blocks.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                    ShortVector c = (ShortVector) ByteVector.fromMemorySegment(B16, data, ql + 48, Blocks.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                    ShortVector h = (ShortVector) ByteVector.fromMemorySegment(B16, data, qh + 16, Blocks.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                    IntVector p1 = a.and(Blocks.LOW_NIBBLE)
                            .or(h.and(Blocks.BITS_0_1).reinterpretAsInts().lanewise(VectorOperators.LSHL, 4).reinterpretAsShorts())
                            .sub(Blocks.THIRTY_TWO)
                            .mul(ShortVector.fromArray(S16, xq, xi + 16)).reinterpretAsInts();
                    IntVector p2 = c.and(Blocks.LOW_NIBBLE)
                            .or(h.and(Blocks.BITS_2_3).reinterpretAsInts().lanewise(VectorOperators.LSHL, 2).reinterpretAsShorts())
                            .sub(Blocks.THIRTY_TWO)
                            .mul(ShortVector.fromArray(S16, xq, xi + 48)).reinterpretAsInts();
                    IntVector p3 = a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                            .or(h.and(Blocks.BITS_4_5)).sub(Blocks.THIRTY_TWO)
                            .mul(ShortVector.fromArray(S16, xq, xi + 80)).reinterpretAsInts();
                    IntVector p4 = c.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                            .or(h.reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsShorts().and(Blocks.BITS_4_5))
                            .sub(Blocks.THIRTY_TWO)
                            .mul(ShortVector.fromArray(S16, xq, xi + 112)).reinterpretAsInts();
                    IntVector s1 = p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 8));
                    IntVector s2 = p2.add(p2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 24));
                    IntVector s3 = p3.add(p3.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 40));
                    IntVector s4 = p4.add(p4.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 56));
                    sum = sum.add(s1.add(s2).add(s3.add(s4)));
                }
            }
            float d = Float.float16ToFloat(data.get(Blocks.LE_SHORT, o + 208)) * xs[b];
            acc = ((FloatVector) sum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Blocks.F, d), acc);
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        return ((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)));
    }
}
