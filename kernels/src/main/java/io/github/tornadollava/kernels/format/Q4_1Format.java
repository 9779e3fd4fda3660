package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q4_1: 20 bytes for 32 weights = {@code half d; half m; uint8 qs[16]}, nibbles as in
 * Q4_0 but unsigned with an offset: weight = nibble * d + m.
 */
final class Q4_1Format implements WeightFormat {

    private static final int BLOCK = 32;
    private static final int BYTES = 20;

    @Override
    public GGMLType type() {
        return GGMLType.Q4_1;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            float m = Blocks.f16(data, o + 2);
            int y = outOffset + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = Blocks.u8(data, o + 4 + j);
                out[y + j] = (q & 0xF) * d + m;
                out[y + j + 16] = (q >> 4) * d + m;
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        if (!Blocks.VECTORIZED) {
            return Blocks.dotByDequantizing(this, data, byteOffset, x, xOffset, n);
        }
        // sum((q*d + m) * x) = d * sum(q*x) + m * sum(x)
        FloatVector acc = FloatVector.zero(Blocks.F);
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            int xi = xOffset + b * BLOCK;
            IntVector q0 = Blocks.u8x8(data, o + 4);
            IntVector q1 = Blocks.u8x8(data, o + 12);
            FloatVector x0 = Blocks.x8(x, xi);
            FloatVector x1 = Blocks.x8(x, xi + 8);
            FloatVector x2 = Blocks.x8(x, xi + 16);
            FloatVector x3 = Blocks.x8(x, xi + 24);
            FloatVector qx = Blocks.toFloat(q0.and(0xF)).mul(x0);
            qx = Blocks.toFloat(q1.and(0xF)).fma(x1, qx);
            qx = Blocks.toFloat(q0.lanewise(VectorOperators.LSHR, 4)).fma(x2, qx);
            qx = Blocks.toFloat(q1.lanewise(VectorOperators.LSHR, 4)).fma(x3, qx);
            FloatVector sx = x0.add(x1).add(x2.add(x3));
            acc = qx.fma(Blocks.splat(Blocks.f16(data, o)), acc);
            acc = sx.fma(Blocks.splat(Blocks.f16(data, o + 2)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
