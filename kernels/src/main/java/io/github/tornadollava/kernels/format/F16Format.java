package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half precision, little-endian; widened exactly to float (bit-exact with
 * {@link Float#float16ToFloat}, what GGML_FP16_TO_FP32 computes).
 *
 * <p>Both paths widen with a counted loop of {@code Float.float16ToFloat} over the segment, which
 * C2 compiles to {@code vcvtph2ps} on whole vectors (F16C); the Vector API has no half conversion
 * (JDK 25). {@link #dot} (the decoder's matvec) widens 512 halves at a time into an L1 scratch and
 * runs vector FMAs over it; {@link #dequantize} (MatMul's weight tiles) widens straight into the
 * tile. The loops are kept apart so that each has its own simple profile. The tiles' loop replaced
 * an integer bit trick (exponent and mantissa shifted into float position, rebiased by 2^112,
 * infinities and NaNs blended in; ten vector ops per eight halves): paired in one JVM, 2 threads,
 * F16 GEMMs ran 1.10x (64x2048x2048), 1.04x (64x5632x2048) and 1.02x (577x4096x1024, the ViT's
 * fc1) as fast. F16WideningBenchmark compares the two ways.
 */
final class F16Format implements WeightFormat {

    /**
     * Halves widened per step of {@link #dot}: a 2 KiB scratch that stays in L1. Each step pays a
     * fixed cost (the vectorized loop's set-up and tail, the FMA loop's), which at 256 halves was a
     * third of the dot; much longer steps leave the memory stream idle for longer while the FMAs
     * run. Against 256, paired in one JVM: +18% on a matrix in L3, the same from DRAM.
     */
    private static final int CHUNK = 512;
    private static final ThreadLocal<float[]> WIDENED = ThreadLocal.withInitial(() -> new float[CHUNK]);

    @Override
    public GGMLType type() {
        return GGMLType.F16;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        // vcvtph2ps on whole vectors wherever the CPU has F16C; one value at a time elsewhere
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = Blocks.f16(data, byteOffset + 2L * i);
        }
    }

    /** The loop C2 turns into vcvtph2ps over whole vectors; only {@link #dot} calls it, which keeps its profile simple. */
    private static void widen(MemorySegment data, long byteOffset, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Float.float16ToFloat(data.get(Blocks.LE_SHORT, byteOffset + 2L * i));
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
            widen(data, byteOffset + 2L * i, w, len);
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
