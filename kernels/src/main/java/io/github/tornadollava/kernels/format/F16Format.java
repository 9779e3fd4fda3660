package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** IEEE half precision, little-endian; widened exactly to float. */
final class F16Format implements WeightFormat {

    @Override
    public GGMLType type() {
        return GGMLType.F16;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        int i = 0;
        if (Blocks.VECTORIZED) {
            for (int upper = n & ~7; i < upper; i += 8) {
                Blocks.f16x8(data, byteOffset + 2L * i).intoArray(out, outOffset + i);
            }
        }
        for (; i < n; i++) {
            out[outOffset + i] = Blocks.f16(data, byteOffset + 2L * i);
        }
    }

    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        if (!Blocks.VECTORIZED) {
            return Blocks.dotByDequantizing(this, data, byteOffset, x, xOffset, n);
        }
        // two accumulators hide the FMA latency
        FloatVector acc0 = FloatVector.zero(Blocks.F);
        FloatVector acc1 = FloatVector.zero(Blocks.F);
        int i = 0;
        for (int upper = n & ~15; i < upper; i += 16) {
            acc0 = Blocks.f16x8(data, byteOffset + 2L * i).fma(Blocks.x8(x, xOffset + i), acc0);
            acc1 = Blocks.f16x8(data, byteOffset + 2L * i + 16).fma(Blocks.x8(x, xOffset + i + 8), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += Blocks.f16(data, byteOffset + 2L * i) * x[xOffset + i];
        }
        return sum;
    }
}
