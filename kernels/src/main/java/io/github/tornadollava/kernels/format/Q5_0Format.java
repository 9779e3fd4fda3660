package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q5_0: 22 bytes for 32 weights = {@code half d; uint8 qh[4]; uint8 qs[16]}. The low
 * 4 bits of weights j and j+16 are the nibbles of qs[j] (as in Q4_0); their 5th bits are bits j
 * and j+16 of the little-endian word qh. weight = (q - 16) * d.
 */
final class Q5_0Format implements WeightFormat {

    private static final int BLOCK = 32;
    private static final int BYTES = 22;

    @Override
    public GGMLType type() {
        return GGMLType.Q5_0;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            int qh = data.get(Blocks.LE_INT, o + 2);
            int y = outOffset + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = Blocks.u8(data, o + 6 + j);
                int x0 = ((q & 0xF) | (((qh >>> j) << 4) & 0x10)) - 16;
                int x1 = ((q >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16;
                out[y + j] = x0 * d;
                out[y + j + 16] = x1 * d;
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
            IntVector qh = IntVector.broadcast(Blocks.I, data.get(Blocks.LE_INT, o + 2));
            IntVector q0 = Blocks.u8x8(data, o + 6);
            IntVector q1 = Blocks.u8x8(data, o + 14);
            FloatVector s0 = Blocks.toFloat(Q5.low(q0, qh, 0).sub(16)).mul(Blocks.x8(x, xi));
            FloatVector s1 = Blocks.toFloat(Q5.low(q1, qh, 8).sub(16)).mul(Blocks.x8(x, xi + 8));
            s0 = Blocks.toFloat(Q5.high(q0, qh, 16).sub(16)).fma(Blocks.x8(x, xi + 16), s0);
            s1 = Blocks.toFloat(Q5.high(q1, qh, 24).sub(16)).fma(Blocks.x8(x, xi + 24), s1);
            acc = s0.add(s1).fma(Blocks.splat(Blocks.f16(data, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
