package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

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
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            float min = Blocks.f16(data, o + 2);
            int y = outOffset + b * BLOCK;
            for (int g = 0; g < 4; g++) {
                int sm1 = Blocks.scaleMinK4(data, o + 4, 2 * g);
                int sm2 = Blocks.scaleMinK4(data, o + 4, 2 * g + 1);
                float d1 = d * (sm1 & 0xFF);
                float m1 = min * (sm1 >> 8);
                float d2 = d * (sm2 & 0xFF);
                float m2 = min * (sm2 >> 8);
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
        FloatVector acc = FloatVector.zero(Blocks.F);
        IntVector[] qh = new IntVector[4];
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            float min = Blocks.f16(data, o + 2);
            for (int k = 0; k < 4; k++) {
                // shifted so that the bit for sub-block s lands on bit 4 after >>> s
                qh[k] = Blocks.u8x8(data, o + 16 + 8 * k).lanewise(VectorOperators.LSHL, 4);
            }
            for (int g = 0; g < 4; g++) {
                long ql = o + 48 + 32L * g;
                int xi = xOffset + b * BLOCK + 64 * g;
                FloatVector qxLo = FloatVector.zero(Blocks.F);
                FloatVector qxHi = FloatVector.zero(Blocks.F);
                FloatVector sxLo = FloatVector.zero(Blocks.F);
                FloatVector sxHi = FloatVector.zero(Blocks.F);
                for (int k = 0; k < 4; k++) {
                    IntVector v = Blocks.u8x8(data, ql + 8 * k);
                    IntVector lo = v.and(0xF).or(qh[k].lanewise(VectorOperators.LSHR, 2 * g).and(0x10));
                    IntVector hi = v.lanewise(VectorOperators.LSHR, 4).or(qh[k].lanewise(VectorOperators.LSHR, 2 * g + 1).and(0x10));
                    FloatVector xLo = Blocks.x8(x, xi + 8 * k);
                    FloatVector xHi = Blocks.x8(x, xi + 32 + 8 * k);
                    qxLo = Blocks.toFloat(lo).fma(xLo, qxLo);
                    qxHi = Blocks.toFloat(hi).fma(xHi, qxHi);
                    sxLo = sxLo.add(xLo);
                    sxHi = sxHi.add(xHi);
                }
                int sm1 = Blocks.scaleMinK4(data, o + 4, 2 * g);
                int sm2 = Blocks.scaleMinK4(data, o + 4, 2 * g + 1);
                acc = qxLo.fma(Blocks.splat(d * (sm1 & 0xFF)), acc);
                acc = sxLo.fma(Blocks.splat(-(min * (sm1 >> 8))), acc);
                acc = qxHi.fma(Blocks.splat(d * (sm2 & 0xFF)), acc);
                acc = sxHi.fma(Blocks.splat(-(min * (sm2 >> 8))), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
