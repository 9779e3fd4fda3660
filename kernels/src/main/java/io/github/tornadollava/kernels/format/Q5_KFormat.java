package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q5_K: 176 bytes for 256 weights =
 * {@code half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]}. As Q4_K, plus a 5th
 * bit per weight: weight l of sub-block s takes bit s of qh[l % 32].
 * weight = (d * scale) * q - (dmin * min).
 */
final class Q5_KFormat implements WeightFormat {

    private static final int BLOCK = 256;
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
        return accQ.sub(accM).reduceLanes(VectorOperators.ADD);
    }
}
