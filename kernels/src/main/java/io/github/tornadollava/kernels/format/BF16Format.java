package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** bfloat16, little-endian: the upper half of a float32, so widening is a 16-bit shift. */
final class BF16Format implements WeightFormat {

    @Override
    public GGMLType type() {
        return GGMLType.BF16;
    }

    static float bf16(MemorySegment data, long offset) {
        return Float.intBitsToFloat(data.get(Blocks.LE_SHORT, offset) << 16);
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        if (!Blocks.VECTORIZED) {
            dequantizeScalar(data, byteOffset, out, outOffset, n);
            return;
        }
        int i = 0;
        for (int upper = n & ~7; i < upper; i += 8) {
            ((IntVector) ShortVector.fromMemorySegment(Blocks.S8, data, byteOffset + 2L * i, Blocks.LE)
                    .convertShape(VectorOperators.S2I, Blocks.I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, outOffset + i);
        }
        dequantizeScalar(data, byteOffset + 2L * i, out, outOffset + i, n - i);
    }

    /** One value at a time (also the vector path's tail). Used where vectors are narrow; tested everywhere. */
    static void dequantizeScalar(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = bf16(data, byteOffset + 2L * i);
        }
    }

    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        if (!Blocks.VECTORIZED) {
            return Blocks.dotByDequantizing(this, data, byteOffset, x, xOffset, n);
        }
        FloatVector acc = FloatVector.zero(Blocks.F);
        int i = 0;
        for (int upper = n & ~7; i < upper; i += 8) {
            FloatVector w = ((IntVector) ShortVector.fromMemorySegment(Blocks.S8, data, byteOffset + 2L * i, Blocks.LE)
                    .convertShape(VectorOperators.S2I, Blocks.I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            acc = w.fma(FloatVector.fromArray(Blocks.F, x, xOffset + i), acc);
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        float sum = ((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)));
        for (; i < n; i++) {
            sum += bf16(data, byteOffset + 2L * i) * x[xOffset + i];
        }
        return sum;
    }
}
