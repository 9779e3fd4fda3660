package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half precision, little-endian; widened exactly to float.
 *
 * <p>The Vector API has no half conversion, so eight halves are widened with integer ops: the
 * exponent and mantissa bits move to float position and a multiply by 2^112 rebiases the
 * exponent, which is exact for normal and subnormal halves alike; infinities and NaNs get the
 * float's all-ones exponent, and the sign is copied. Bit-exact with {@link Float#float16ToFloat}.
 */
final class F16Format implements WeightFormat {

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

    @Override
    public float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        if (!Blocks.VECTORIZED) {
            return Blocks.dotByDequantizing(this, data, byteOffset, x, xOffset, n);
        }
        FloatVector acc = FloatVector.zero(Blocks.F);
        int i = 0;
        for (int upper = n & ~7; i < upper; i += 8) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Blocks.S8, data, byteOffset + 2L * i, Blocks.LE)
                    .convertShape(VectorOperators.S2I, Blocks.I, 0);
            IntVector magnitude = h.and(0x7fff);
            IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
            IntVector finite = shifted.reinterpretAsFloats().mul(Blocks.HALF_TO_FLOAT_SCALE).reinterpretAsInts();
            IntVector bits = finite.blend(shifted.or(0x7f800000), magnitude.compare(VectorOperators.GE, Blocks.HALF_EXPONENT_MASK))
                    .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
            acc = bits.reinterpretAsFloats().fma(FloatVector.fromArray(Blocks.F, x, xOffset + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += Blocks.f16(data, byteOffset + 2L * i) * x[xOffset + i];
        }
        return sum;
    }
}
