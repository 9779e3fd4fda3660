package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half precision, little-endian; widened exactly to float ({@link Float#float16ToFloat}, what
 * GGML_FP16_TO_FP32 computes).
 *
 * <p>Why a plain scalar loop: the Vector API (JDK 25) has no half-to-float conversion, and widening
 * eight halves with integer ops (shift, rebias multiply, infinity/NaN blend, sign) takes about ten
 * vector instructions. C2 instead compiles {@code Float.float16ToFloat} to {@code vcvtph2ps} (F16C),
 * and a counted loop of them over a memory segment into a float array is cheap enough that
 * widening 256 halves this way, then multiplying with vectors, beat the integer widening
 * 1.3-4x per CPU second on the AVX2 EPYC (measured A/B in one JVM, 256 and 4096 halves).
 */
final class F16Format implements WeightFormat {

    /** Halves widened per step of {@link #dot}: a 1 KiB scratch that stays in L1. */
    private static final int CHUNK = 256;
    private static final ThreadLocal<float[]> WIDENED = ThreadLocal.withInitial(() -> new float[CHUNK]);

    @Override
    public GGMLType type() {
        return GGMLType.F16;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        dequantizeScalar(data, byteOffset, out, outOffset, n);
    }

    /** The only decode path (C2 vectorizes it where it can), under the name the format tests use. */
    static void dequantizeScalar(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = Float.float16ToFloat(data.get(Blocks.LE_SHORT, byteOffset + 2L * i));
        }
    }

    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        if (!Blocks.VECTORIZED) {
            return Blocks.dotByDequantizing(this, data, byteOffset, x, xOffset, n);
        }
        float[] w = WIDENED.get();
        FloatVector acc0 = FloatVector.zero(Blocks.F), acc1 = acc0;
        int lanes = Blocks.F.length();
        float sum = 0;
        for (int i = 0; i < n; i += CHUNK) {
            int len = Math.min(CHUNK, n - i);
            dequantize(data, byteOffset + 2L * i, w, 0, len);
            int j = 0;
            // two accumulators: one FMA chain would wait on its own latency every step
            for (int upper = len & -(2 * lanes); j < upper; j += 2 * lanes) {
                acc0 = FloatVector.fromArray(Blocks.F, w, j).fma(FloatVector.fromArray(Blocks.F, x, xOffset + i + j), acc0);
                acc1 = FloatVector.fromArray(Blocks.F, w, j + lanes).fma(FloatVector.fromArray(Blocks.F, x, xOffset + i + j + lanes), acc1);
            }
            for (; j < len; j++) {
                sum += w[j] * x[xOffset + i + j];
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) + sum;
    }
}
