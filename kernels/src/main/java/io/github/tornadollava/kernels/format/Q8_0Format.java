package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q8_0: 34 bytes for 32 weights = {@code half d; int8 qs[32]}, weight[j] = qs[j] * d.
 */
final class Q8_0Format implements WeightFormat {

    private static final int BLOCK = 32;
    private static final int BYTES = 34;

    @Override
    public GGMLType type() {
        return GGMLType.Q8_0;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            int y = outOffset + b * BLOCK;
            if (Blocks.VECTORIZED) {
                for (int k = 0; k < BLOCK; k += 8) {
                    Blocks.s8x8(data, o + 2 + k).mul(d).intoArray(out, y + k);
                }
            } else {
                for (int j = 0; j < BLOCK; j++) {
                    out[y + j] = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) * d;
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
            long o = byteOffset + (long) b * BYTES + 2;
            int xi = xOffset + b * BLOCK;
            // sum(q * x) over the block first, then one multiply by the block scale
            FloatVector s0 = Blocks.s8x8(data, o).mul(Blocks.x8(x, xi));
            FloatVector s1 = Blocks.s8x8(data, o + 8).mul(Blocks.x8(x, xi + 8));
            s0 = Blocks.s8x8(data, o + 16).fma(Blocks.x8(x, xi + 16), s0);
            s1 = Blocks.s8x8(data, o + 24).fma(Blocks.x8(x, xi + 24), s1);
            acc = s0.add(s1).fma(Blocks.splat(Blocks.f16(data, o - 2)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
