package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half precision, little-endian; widened exactly to float (bit-exact with
 * {@link Float#float16ToFloat}, what GGML_FP16_TO_FP32 computes).
 *
 * <p>Two ways to widen, each used where it measured faster (A/B per CPU second on the 2-core AVX2
 * EPYC, JDK 25; benchmarks F16WideningBenchmark):
 * <ul>
 * <li>{@link #dot} (the decoder's matvec): a counted loop of {@code Float.float16ToFloat} over the
 * segment into an L1 scratch, which C2 compiles to {@code vcvtph2ps} on whole vectors (F16C), then
 * vector FMAs. 1B-shape F16 decode: about 15-20% less CPU per token than the integer widening.</li>
 * <li>{@link #dequantize} (MatMul's weight tiles): the Vector API, which has no half conversion
 * (JDK 25), widening eight halves with integer ops: exponent and mantissa move to float position
 * and a multiply by 2^112 rebiases the exponent (exact for normal and subnormal halves);
 * infinities and NaNs get the all-ones exponent; the sign is copied. The scalar loop was slower
 * here: inside MatMul's tile on the mapped model file C2 kept a bounds check per element (JFR: 3%
 * of a CLIP-L encode in {@code checkBounds}), and a bulk copy into a thread-local {@code short[]}
 * first spent as long again in the ThreadLocal lookup, once per 256 halves.</li>
 * </ul>
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
        if (!Blocks.VECTORIZED) {
            dequantizeScalar(data, byteOffset, out, outOffset, n);
            return;
        }
        int i = 0;
        for (int upper = n & ~7; i < upper; i += 8) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Blocks.S8, data, byteOffset + 2L * i, Blocks.LE)
                    .convertShape(VectorOperators.S2I, Blocks.I, 0);
            IntVector magnitude = h.and(0x7fff);
            IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
            IntVector finite = shifted.reinterpretAsFloats().mul(Blocks.HALF_TO_FLOAT_SCALE).reinterpretAsInts();
            IntVector bits = finite.blend(shifted.or(0x7f800000), magnitude.compare(VectorOperators.GE, Blocks.HALF_EXPONENT_MASK))
                    .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
            bits.reinterpretAsFloats().intoArray(out, outOffset + i);
        }
        dequantizeScalar(data, byteOffset + 2L * i, out, outOffset + i, n - i);
    }

    /** One value at a time (also the vector path's tail). Used where vectors are narrow; tested everywhere. */
    static void dequantizeScalar(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
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
