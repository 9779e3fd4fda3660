package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q4_K: 144 bytes for a super-block of 256 weights =
 * {@code half d; half dmin; uint8 scales[12]; uint8 qs[128]}. Eight sub-blocks of 32 weights each
 * have a 6-bit scale and min ({@link Blocks#scaleMinK4}); qs is four 32-byte groups, group g
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
                long q = o + 16 + 32L * g;
                int yg = y + 64 * g;
                if (Blocks.VECTORIZED) {
                    for (int k = 0; k < 32; k += 8) {
                        IntVector v = Blocks.u8x8(data, q + k);
                        Blocks.toFloat(v.and(0xF)).mul(d1).sub(m1).intoArray(out, yg + k);
                        Blocks.toFloat(v.lanewise(VectorOperators.LSHR, 4)).mul(d2).sub(m2).intoArray(out, yg + 32 + k);
                    }
                } else {
                    for (int l = 0; l < 32; l++) {
                        int v = Blocks.u8(data, q + l);
                        out[yg + l] = d1 * (v & 0xF) - m1;
                        out[yg + 32 + l] = d2 * (v >> 4) - m2;
                    }
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
        FloatVector acc = FloatVector.zero(Blocks.F);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            float min = Blocks.f16(data, o + 2);
            for (int g = 0; g < 4; g++) {
                long q = o + 16 + 32L * g;
                int xi = xOffset + b * BLOCK + 64 * g;
                FloatVector qxLo = FloatVector.zero(Blocks.F);
                FloatVector qxHi = FloatVector.zero(Blocks.F);
                FloatVector sxLo = FloatVector.zero(Blocks.F);
                FloatVector sxHi = FloatVector.zero(Blocks.F);
                for (int k = 0; k < 32; k += 8) {
                    IntVector v = Blocks.u8x8(data, q + k);
                    FloatVector xLo = Blocks.x8(x, xi + k);
                    FloatVector xHi = Blocks.x8(x, xi + 32 + k);
                    qxLo = Blocks.toFloat(v.and(0xF)).fma(xLo, qxLo);
                    qxHi = Blocks.toFloat(v.lanewise(VectorOperators.LSHR, 4)).fma(xHi, qxHi);
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
