package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.ByteVector;
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
        if (!Blocks.VECTORIZED) {
            dequantizeScalar(data, byteOffset, out, outOffset, n);
            return;
        }
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            int y = outOffset + b * BLOCK;
            for (int k = 0; k < BLOCK; k += 8) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(Blocks.B8, data, o + 2 + k, Blocks.LE)
                        .convertShape(VectorOperators.B2F, Blocks.F, 0);
                q.mul(d).intoArray(out, y + k);
            }
        }
    }

    /** ggml's dequantize_row_q8_0, one weight at a time. Used where vectors are narrow; tested everywhere. */
    static void dequantizeScalar(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            int y = outOffset + b * BLOCK;
            for (int j = 0; j < BLOCK; j++) {
                out[y + j] = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) * d;
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
            // sum(q * x) over the block first, then one multiply by the block scale
            FloatVector sum = FloatVector.zero(Blocks.F);
            for (int k = 0; k < BLOCK; k += 8) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(Blocks.B8, data, o + 2 + k, Blocks.LE)
                        .convertShape(VectorOperators.B2F, Blocks.F, 0);
                sum = q.fma(FloatVector.fromArray(Blocks.F, x, xi + k), sum);
            }
            acc = sum.fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o))), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
