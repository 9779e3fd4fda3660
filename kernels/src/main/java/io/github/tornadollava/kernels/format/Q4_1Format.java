package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
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
    public ActivationType activationType() {
        return ActivationType.Q8_0;
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
            FloatVector qx = FloatVector.zero(Blocks.F);
            FloatVector sx = FloatVector.zero(Blocks.F);
            for (int k = 0; k < 16; k += 8) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(Blocks.B8, data, o + 4 + k, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                FloatVector xLo = FloatVector.fromArray(Blocks.F, x, xi + k);
                FloatVector xHi = FloatVector.fromArray(Blocks.F, x, xi + 16 + k);
                qx = ((FloatVector) q.and(0xF).convert(VectorOperators.I2F, 0)).fma(xLo, qx);
                qx = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xHi, qx);
                sx = sx.add(xLo).add(xHi);
            }
            acc = qx.fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o))), acc);
            acc = sx.fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o + 2))), acc);
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        return ((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)));
    }
}
