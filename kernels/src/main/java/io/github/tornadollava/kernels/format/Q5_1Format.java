package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q5_1: 24 bytes for 32 weights = {@code half d; half m; uint8 qh[4]; uint8 qs[16]},
 * 5-bit values packed as in Q5_0 but unsigned with an offset: weight = q * d + m.
 */
final class Q5_1Format implements WeightFormat {

    private static final int BLOCK = 32;
    private static final int BYTES = 24;

    @Override
    public GGMLType type() {
        return GGMLType.Q5_1;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            float m = Blocks.f16(data, o + 2);
            int qh = data.get(Blocks.LE_INT, o + 4);
            int y = outOffset + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = Blocks.u8(data, o + 8 + j);
                int x0 = (q & 0xF) | (((qh >>> j) << 4) & 0x10);
                int x1 = (q >> 4) | ((qh >>> (j + 12)) & 0x10);
                out[y + j] = x0 * d + m;
                out[y + j + 16] = x1 * d + m;
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
            IntVector qh = IntVector.broadcast(Blocks.I, data.get(Blocks.LE_INT, o + 4));
            IntVector q0 = Blocks.u8x8(data, o + 8);
            IntVector q1 = Blocks.u8x8(data, o + 16);
            FloatVector x0 = Blocks.x8(x, xi);
            FloatVector x1 = Blocks.x8(x, xi + 8);
            FloatVector x2 = Blocks.x8(x, xi + 16);
            FloatVector x3 = Blocks.x8(x, xi + 24);
            FloatVector qx = Blocks.toFloat(Q5.low(q0, qh, 0)).mul(x0);
            qx = Blocks.toFloat(Q5.low(q1, qh, 8)).fma(x1, qx);
            qx = Blocks.toFloat(Q5.high(q0, qh, 16)).fma(x2, qx);
            qx = Blocks.toFloat(Q5.high(q1, qh, 24)).fma(x3, qx);
            FloatVector sx = x0.add(x1).add(x2.add(x3));
            acc = qx.fma(Blocks.splat(Blocks.f16(data, o)), acc);
            acc = sx.fma(Blocks.splat(Blocks.f16(data, o + 2)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
