package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q6_K: 210 bytes for 256 weights =
 * {@code uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d} (the scale comes last). Each half
 * of 128 weights uses 64 bytes of ql and 32 of qh: for l in 0..31, ql[l] and ql[l+32] give the
 * low nibbles of weights l, l+32 (low nibble) and l+64, l+96 (high nibble), and the four 2-bit
 * fields of qh[l] give their top bits. Sixteen weights share a signed 8-bit scale.
 * weight = (d * scale) * (q - 32).
 */
final class Q6_KFormat implements WeightFormat {

    private static final int BLOCK = 256;
    private static final int BYTES = 210;

    @Override
    public GGMLType type() {
        return GGMLType.Q6_K;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
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

    private static int scale(MemorySegment data, long scales, int i) {
        return data.get(ValueLayout.JAVA_BYTE, scales + i);
    }

    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        if (!Blocks.VECTORIZED) {
            return Blocks.dotByDequantizing(this, data, byteOffset, x, xOffset, n);
        }
        FloatVector acc = FloatVector.zero(Blocks.F);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o + 208);
            for (int half = 0; half < 2; half++) {
                long ql = o + 64L * half;
                long qh = o + 128 + 32L * half;
                long sc = o + 192 + 8L * half;
                int xi = xOffset + b * BLOCK + 128 * half;
                // l in [16p, 16p+16) shares scale p (+2, +4, +6 for the other three weight rows)
                for (int p = 0; p < 2; p++) {
                    FloatVector s1 = FloatVector.zero(Blocks.F);
                    FloatVector s2 = FloatVector.zero(Blocks.F);
                    FloatVector s3 = FloatVector.zero(Blocks.F);
                    FloatVector s4 = FloatVector.zero(Blocks.F);
                    for (int l = 16 * p; l < 16 * p + 16; l += 8) {
                        IntVector a = Blocks.u8x8(data, ql + l);
                        IntVector c = Blocks.u8x8(data, ql + l + 32);
                        IntVector h = Blocks.u8x8(data, qh + l).lanewise(VectorOperators.LSHL, 4);
                        IntVector q1 = a.and(0xF).or(h.and(0x30)).sub(32);
                        IntVector q2 = c.and(0xF).or(h.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32);
                        IntVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 4).and(0x30)).sub(32);
                        IntVector q4 = c.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 6).and(0x30)).sub(32);
                        s1 = Blocks.toFloat(q1).fma(Blocks.x8(x, xi + l), s1);
                        s2 = Blocks.toFloat(q2).fma(Blocks.x8(x, xi + l + 32), s2);
                        s3 = Blocks.toFloat(q3).fma(Blocks.x8(x, xi + l + 64), s3);
                        s4 = Blocks.toFloat(q4).fma(Blocks.x8(x, xi + l + 96), s4);
                    }
                    acc = s1.fma(Blocks.splat(d * scale(data, sc, p)), acc);
                    acc = s2.fma(Blocks.splat(d * scale(data, sc, p + 2)), acc);
                    acc = s3.fma(Blocks.splat(d * scale(data, sc, p + 4)), acc);
                    acc = s4.fma(Blocks.splat(d * scale(data, sc, p + 6)), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
