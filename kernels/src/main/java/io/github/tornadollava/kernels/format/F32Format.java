package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Plain little-endian float32. */
final class F32Format implements WeightFormat {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public GGMLType type() {
        return GGMLType.F32;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        MemorySegment.copy(data, LE_FLOAT, byteOffset, out, outOffset, n);
    }

    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        // two accumulators: one FMA chain would wait on its own latency
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int step = S.length();
        int i = 0;
        for (int upper = n - n % (2 * step); i < upper; i += 2 * step) {
            acc0 = FloatVector.fromMemorySegment(S, data, byteOffset + 4L * i, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(S, x, xOffset + i), acc0);
            acc1 = FloatVector.fromMemorySegment(S, data, byteOffset + 4L * (i + step), ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(S, x, xOffset + i + step), acc1);
        }
        for (int upper = S.loopBound(n); i < upper; i += step) {
            acc0 = FloatVector.fromMemorySegment(S, data, byteOffset + 4L * i, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(S, x, xOffset + i), acc0);
        }
        FloatVector v = acc0.add(acc1);
        float sum = 0;
        for (int l = 0; l < S.length(); l++) {
            sum += v.lane(l); // in lane order in every JIT tier (reduceLanes is not: see Lanes)
        }
        for (; i < n; i++) {
            sum += data.get(LE_FLOAT, byteOffset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }
}
