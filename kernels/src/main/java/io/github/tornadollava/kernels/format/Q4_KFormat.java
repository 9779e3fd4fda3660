package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q4_K: 144 bytes for a super-block of 256 weights =
 * {@code half d; half dmin; uint8 scales[12]; uint8 qs[128]}. Eight sub-blocks of 32 weights each
 * have a 6-bit scale and min ({@link Blocks#scalesK4}, {@link Blocks#minsK4}); qs is four 32-byte groups, group g
 * holding sub-block 2g in its low nibbles and sub-block 2g+1 in its high nibbles.
 * weight = (d * scale) * q - (dmin * min).
 */
final class Q4_KFormat implements WeightFormat {

    private static final int BLOCK = 256;
    private static final int BYTES = 144;

    @Override
    public GGMLType type() {
        return GGMLType.Q4_K;
    }

    @Override
    public ActivationType activationType() {
        return ActivationType.Q8_K;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        if (!Blocks.VECTORIZED) {
            dequantizeScalar(data, byteOffset, out, outOffset, n);
            return;
        }
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
                long q = o + 16 + 32L * g;
                int yg = y + 64 * g;
                for (int k = 0; k < 32; k += 8) {
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(Blocks.B8, data, q + k, Blocks.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                    ((FloatVector) v.and(0xF).convert(VectorOperators.I2F, 0)).mul(d1).sub(m1).intoArray(out, yg + k);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(d2).sub(m2).intoArray(out, yg + 32 + k);
                }
            }
        }
    }

    /** ggml's dequantize_row_q4_K, one byte (two weights) at a time. Used where vectors are narrow; tested everywhere. */
    static void dequantizeScalar(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
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
                long q = o + 16 + 32L * g;
                int yg = y + 64 * g;
                for (int l = 0; l < 32; l++) {
                    int v = Blocks.u8(data, q + l);
                    out[yg + l] = d1 * (v & 0xF) - m1;
                    out[yg + 32 + l] = d2 * (v >> 4) - m2;
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        if (!Blocks.VECTORIZED) {
            return Blocks.dotByDequantizing(this, data, byteOffset, x, xOffset, n);
        }
        // per sub-block: sum((ds*q - dm) * x) = ds * sum(q*x) - dm * sum(x)
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
                long q = o + 16 + 32L * g;
                int xi = xOffset + b * BLOCK + 64 * g;
                FloatVector qxLo = FloatVector.zero(Blocks.F);
                FloatVector qxHi = FloatVector.zero(Blocks.F);
                FloatVector sxLo = FloatVector.zero(Blocks.F);
                FloatVector sxHi = FloatVector.zero(Blocks.F);
                for (int k = 0; k < 32; k += 8) {
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(Blocks.B8, data, q + k, Blocks.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                    FloatVector xLo = FloatVector.fromArray(Blocks.F, x, xi + k);
                    FloatVector xHi = FloatVector.fromArray(Blocks.F, x, xi + 32 + k);
                    qxLo = ((FloatVector) v.and(0xF).convert(VectorOperators.I2F, 0)).fma(xLo, qxLo);
                    qxHi = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xHi, qxHi);
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
