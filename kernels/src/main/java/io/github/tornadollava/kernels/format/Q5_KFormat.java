package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml block_q5_K: 176 bytes for 256 weights =
 * {@code half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]}. As Q4_K, plus a 5th
 * bit per weight: weight l of sub-block s takes bit s of qh[l % 32].
 * weight = (d * scale) * q - (dmin * min).
 */
final class Q5_KFormat implements WeightFormat {

    private static final int BLOCK = 256;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final int BYTES = 176;

    @Override
    public GGMLType type() {
        return GGMLType.Q5_K;
    }

    @Override
    public ActivationType activationType() {
        return ActivationType.Q8_K;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            float min = Blocks.f16(data, o + 2);
            long scales = Blocks.scalesK4(data, o + 4);
            long mins = Blocks.minsK4(data, o + 4);
            int y = outOffset + b * BLOCK;
            for (int g = 0; g < 4; g++) {
                float d1 = d * Blocks.byteOf(scales, 2 * g);
                float m1 = min * Blocks.byteOf(mins, 2 * g);
                float d2 = d * Blocks.byteOf(scales, 2 * g + 1);
                float m2 = min * Blocks.byteOf(mins, 2 * g + 1);
                int u1 = 1 << (2 * g);
                int u2 = 2 << (2 * g);
                long ql = o + 48 + 32L * g;
                int yg = y + 64 * g;
                for (int l = 0; l < 32; l++) {
                    int v = Blocks.u8(data, ql + l);
                    int h = Blocks.u8(data, o + 16 + l);
                    out[yg + l] = d1 * ((v & 0xF) + ((h & u1) != 0 ? 16 : 0)) - m1;
                    out[yg + 32 + l] = d2 * ((v >> 4) + ((h & u2) != 0 ? 16 : 0)) - m2;
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        if (!Blocks.VECTORIZED) {
            return Blocks.dotByDequantizing(this, data, byteOffset, x, xOffset, n);
        }
        // two independent chains (scaled q*x sums, scaled x sums) keep the FMA latency hidden
        FloatVector accQ = FloatVector.zero(Blocks.F);
        FloatVector accM = FloatVector.zero(Blocks.F);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(Blocks.LE_SHORT, o));
            float min = Float.float16ToFloat(data.get(Blocks.LE_SHORT, o + 2));
            // Blocks.scalesK4 / minsK4, spelled out: no calls while vectors are live
            int w0 = data.get(Blocks.LE_INT, o + 4);
            int w1 = data.get(Blocks.LE_INT, o + 8);
            int w2 = data.get(Blocks.LE_INT, o + 12);
            long scales = Integer.toUnsignedLong(w0 & 0x3f3f3f3f)
                    | (long) ((w2 & 0x0f0f0f0f) | (((w0 >>> 6) & 0x03030303) << 4)) << 32;
            long mins = Integer.toUnsignedLong(w1 & 0x3f3f3f3f)
                    | (long) (((w2 >>> 4) & 0x0f0f0f0f) | (((w1 >>> 6) & 0x03030303) << 4)) << 32;
            for (int g = 0; g < 4; g++) {
                long ql = o + 48 + 32L * g;
                int xi = xOffset + b * BLOCK + 64 * g;
                FloatVector qxLo = FloatVector.zero(Blocks.F);
                FloatVector qxHi = FloatVector.zero(Blocks.F);
                FloatVector sxLo = FloatVector.zero(Blocks.F);
                FloatVector sxHi = FloatVector.zero(Blocks.F);
                for (int k = 0; k < 32; k += 8) {
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(Blocks.B8, data, ql + k, Blocks.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                    // qh bits moved up by 4, so that bit s of qh lands on bit 4 after >>> s
                    IntVector h = ((IntVector) ByteVector.fromMemorySegment(Blocks.B8, data, o + 16 + k, Blocks.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0)).lanewise(VectorOperators.LSHL, 4);
                    IntVector lo = v.and(0xF).or(h.lanewise(VectorOperators.LSHR, 2 * g).and(0x10));
                    IntVector hi = v.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2 * g + 1).and(0x10));
                    FloatVector xLo = FloatVector.fromArray(Blocks.F, x, xi + k);
                    FloatVector xHi = FloatVector.fromArray(Blocks.F, x, xi + 32 + k);
                    qxLo = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(xLo, qxLo);
                    qxHi = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(xHi, qxHi);
                    sxLo = sxLo.add(xLo);
                    sxHi = sxHi.add(xHi);
                }
                accQ = qxLo.fma(FloatVector.broadcast(Blocks.F, d * ((int) (scales >>> (16 * g)) & 0xFF)), accQ);
                accM = sxLo.fma(FloatVector.broadcast(Blocks.F, min * ((int) (mins >>> (16 * g)) & 0xFF)), accM);
                accQ = qxHi.fma(FloatVector.broadcast(Blocks.F, d * ((int) (scales >>> (16 * g + 8)) & 0xFF)), accQ);
                accM = sxHi.fma(FloatVector.broadcast(Blocks.F, min * ((int) (mins >>> (16 * g + 8)) & 0xFF)), accM);
            }
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        FloatVector v = accQ.sub(accM);
        return ((v.lane(0) + v.lane(4)) + (v.lane(2) + v.lane(6))) + ((v.lane(1) + v.lane(5)) + (v.lane(3) + v.lane(7)));
    }

    /**
     * ggml_vec_dot_q5_K_q8_K, as Q4_K's integer kernel with the fifth bit of every weight from qh
     * (bit 2g for sub-block 2g, 2g + 1 for 2g + 1); qh widens to shorts once per super-block.
     * Products reach 31 * 127, two of them still fit a short.
     */
    @Override
    public float dot(MemorySegment data, long byteOffset, QuantizedActivations x, int n) {
        if (!Blocks.VECTORIZED || !x.hasQ8_K()) {
            return WeightFormat.super.dot(data, byteOffset, x, n);
        }
        short[] xq = x.kq;
        float[] xs = x.kScale;
        int[] xsum = x.kSums;
        FloatVector acc = FloatVector.zero(Blocks.F);
        FloatVector accMin = FloatVector.zero(Blocks.F);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            // the 16 header bytes (d, dmin, the 12 scale bytes) as two words: every segment access in
            // this loop adds bound-check set-up that C2 redoes for each row (2048-wide rows: +15%)
            long hd0 = data.get(Blocks.LE_LONG, o);
            long hd1 = data.get(Blocks.LE_LONG, o + 8);
            int w0 = (int) (hd0 >>> 32);
            int w1 = (int) hd1;
            int w2 = (int) (hd1 >>> 32);
            long scales = Integer.toUnsignedLong(w0 & 0x3f3f3f3f)
                    | (long) ((w2 & 0x0f0f0f0f) | (((w0 >>> 6) & 0x03030303) << 4)) << 32;
            long mins = Integer.toUnsignedLong(w1 & 0x3f3f3f3f)
                    | (long) (((w2 >>> 4) & 0x0f0f0f0f) | (((w1 >>> 6) & 0x03030303) << 4)) << 32;
            // qh moved up by 4, so that bit s lands on bit 4 after >>> s
            ShortVector h0 = ((ShortVector) ByteVector.fromMemorySegment(B16, data, o + 16, Blocks.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0)).reinterpretAsInts().lanewise(VectorOperators.LSHL, 4).reinterpretAsShorts();
            ShortVector h1 = ((ShortVector) ByteVector.fromMemorySegment(B16, data, o + 32, Blocks.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0)).reinterpretAsInts().lanewise(VectorOperators.LSHL, 4).reinterpretAsShorts();
            IntVector sum = IntVector.zero(Blocks.I);
            int xb = b * BLOCK;
            // group g (sub-blocks 2g, 2g + 1) written out four times: a 4-trip inner loop costs C2 more
            // scalar set-up (split loops, bound checks) than its body
            {
                ShortVector v0a = (ShortVector) ByteVector.fromMemorySegment(B16, data, o + 48, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                ShortVector v0b = (ShortVector) ByteVector.fromMemorySegment(B16, data, o + 64, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                IntVector lo0 = v0a.and(Blocks.LOW_NIBBLE).or(h0.and(Blocks.BIT_4))
                        .mul(ShortVector.fromArray(S16, xq, xb + 0))
                        .add(v0b.and(Blocks.LOW_NIBBLE).or(h1.and(Blocks.BIT_4))
                                .mul(ShortVector.fromArray(S16, xq, xb + 16))).reinterpretAsInts();
                IntVector hi0 = v0a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                        .or(h0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 1).reinterpretAsShorts().and(Blocks.BIT_4))
                        .mul(ShortVector.fromArray(S16, xq, xb + 32))
                        .add(v0b.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                                .or(h1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 1).reinterpretAsShorts().and(Blocks.BIT_4))
                                .mul(ShortVector.fromArray(S16, xq, xb + 48))).reinterpretAsInts();
                sum = sum.add(lo0.add(lo0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .mul((int) (scales >>> 0) & 0xFF))
                        .add(hi0.add(hi0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .mul((int) (scales >>> 8) & 0xFF));
                ShortVector v1a = (ShortVector) ByteVector.fromMemorySegment(B16, data, o + 80, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                ShortVector v1b = (ShortVector) ByteVector.fromMemorySegment(B16, data, o + 96, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                IntVector lo1 = v1a.and(Blocks.LOW_NIBBLE).or(h0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsShorts().and(Blocks.BIT_4))
                        .mul(ShortVector.fromArray(S16, xq, xb + 64))
                        .add(v1b.and(Blocks.LOW_NIBBLE).or(h1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 2).reinterpretAsShorts().and(Blocks.BIT_4))
                                .mul(ShortVector.fromArray(S16, xq, xb + 80))).reinterpretAsInts();
                IntVector hi1 = v1a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                        .or(h0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 3).reinterpretAsShorts().and(Blocks.BIT_4))
                        .mul(ShortVector.fromArray(S16, xq, xb + 96))
                        .add(v1b.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                                .or(h1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 3).reinterpretAsShorts().and(Blocks.BIT_4))
                                .mul(ShortVector.fromArray(S16, xq, xb + 112))).reinterpretAsInts();
                sum = sum.add(lo1.add(lo1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .mul((int) (scales >>> 16) & 0xFF))
                        .add(hi1.add(hi1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .mul((int) (scales >>> 24) & 0xFF));
                ShortVector v2a = (ShortVector) ByteVector.fromMemorySegment(B16, data, o + 112, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                ShortVector v2b = (ShortVector) ByteVector.fromMemorySegment(B16, data, o + 128, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                IntVector lo2 = v2a.and(Blocks.LOW_NIBBLE).or(h0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.BIT_4))
                        .mul(ShortVector.fromArray(S16, xq, xb + 128))
                        .add(v2b.and(Blocks.LOW_NIBBLE).or(h1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.BIT_4))
                                .mul(ShortVector.fromArray(S16, xq, xb + 144))).reinterpretAsInts();
                IntVector hi2 = v2a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                        .or(h0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 5).reinterpretAsShorts().and(Blocks.BIT_4))
                        .mul(ShortVector.fromArray(S16, xq, xb + 160))
                        .add(v2b.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                                .or(h1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 5).reinterpretAsShorts().and(Blocks.BIT_4))
                                .mul(ShortVector.fromArray(S16, xq, xb + 176))).reinterpretAsInts();
                sum = sum.add(lo2.add(lo2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .mul((int) (scales >>> 32) & 0xFF))
                        .add(hi2.add(hi2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .mul((int) (scales >>> 40) & 0xFF));
                ShortVector v3a = (ShortVector) ByteVector.fromMemorySegment(B16, data, o + 144, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                ShortVector v3b = (ShortVector) ByteVector.fromMemorySegment(B16, data, o + 160, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
                IntVector lo3 = v3a.and(Blocks.LOW_NIBBLE).or(h0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsShorts().and(Blocks.BIT_4))
                        .mul(ShortVector.fromArray(S16, xq, xb + 192))
                        .add(v3b.and(Blocks.LOW_NIBBLE).or(h1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).reinterpretAsShorts().and(Blocks.BIT_4))
                                .mul(ShortVector.fromArray(S16, xq, xb + 208))).reinterpretAsInts();
                IntVector hi3 = v3a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                        .or(h0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 7).reinterpretAsShorts().and(Blocks.BIT_4))
                        .mul(ShortVector.fromArray(S16, xq, xb + 224))
                        .add(v3b.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                                .or(h1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 7).reinterpretAsShorts().and(Blocks.BIT_4))
                                .mul(ShortVector.fromArray(S16, xq, xb + 240))).reinterpretAsInts();
                sum = sum.add(lo3.add(lo3.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .mul((int) (scales >>> 48) & 0xFF))
                        .add(hi3.add(hi3.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .mul((int) (scales >>> 56) & 0xFF));
            }
            // sum_j min_j * xsum_j in int lanes: the min bytes (the low 8 of the broadcast) widen to 8 ints
            IntVector m = (IntVector) LongVector.broadcast(LongVector.SPECIES_256, mins).reinterpretAsBytes()
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
            float dx = xs[b];
            acc = ((FloatVector) sum.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat((short) hd0) * dx), acc);
            accMin = ((FloatVector) m.mul(IntVector.fromArray(Blocks.I, xsum, b * 8)).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat((short) (hd0 >>> 16)) * dx), accMin);
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        FloatVector v = acc.sub(accMin);
        return ((v.lane(0) + v.lane(4)) + (v.lane(2) + v.lane(6))) + ((v.lane(1) + v.lane(5)) + (v.lane(3) + v.lane(7)));
    }
}
