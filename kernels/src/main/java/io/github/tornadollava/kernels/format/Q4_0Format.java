package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q4_0: 18 bytes for 32 weights = {@code half d; uint8 qs[16]}. Byte j holds weight j
 * in its low nibble and weight j+16 in its high nibble; weight = (nibble - 8) * d.
 */
final class Q4_0Format implements WeightFormat {

    private static final int BLOCK = 32;
    private static final int BYTES = 18;

    @Override
    public GGMLType type() {
        return GGMLType.Q4_0;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            int y = outOffset + b * BLOCK;
            if (Blocks.VECTORIZED) {
                for (int k = 0; k < 16; k += 8) {
                    IntVector q = Blocks.u8x8(data, o + 2 + k);
                    Blocks.toFloat(q.and(0xF).sub(8)).mul(d).intoArray(out, y + k);
                    Blocks.toFloat(q.lanewise(VectorOperators.LSHR, 4).sub(8)).mul(d).intoArray(out, y + 16 + k);
                }
            } else {
                for (int j = 0; j < 16; j++) {
                    int q = Blocks.u8(data, o + 2 + j);
                    out[y + j] = ((q & 0xF) - 8) * d;
                    out[y + j + 16] = ((q >> 4) - 8) * d;
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
            int xi = xOffset + b * BLOCK;
            IntVector q0 = Blocks.u8x8(data, o + 2);
            IntVector q1 = Blocks.u8x8(data, o + 10);
            FloatVector s0 = Blocks.toFloat(q0.and(0xF).sub(8)).mul(Blocks.x8(x, xi));
            FloatVector s1 = Blocks.toFloat(q1.and(0xF).sub(8)).mul(Blocks.x8(x, xi + 8));
            s0 = Blocks.toFloat(q0.lanewise(VectorOperators.LSHR, 4).sub(8)).fma(Blocks.x8(x, xi + 16), s0);
            s1 = Blocks.toFloat(q1.lanewise(VectorOperators.LSHR, 4).sub(8)).fma(Blocks.x8(x, xi + 24), s1);
            acc = s0.add(s1).fma(Blocks.splat(Blocks.f16(data, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
