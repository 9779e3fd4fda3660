package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q8_0: 34 bytes for 32 weights = {@code half d; int8 qs[32]}, weight[j] = qs[j] * d.
 */
final class Q8_0Format implements WeightFormat {

    private static final int BLOCK = 32;
    private static final int BYTES = 34;
    private static final jdk.incubator.vector.VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final jdk.incubator.vector.VectorSpecies<Short> S16 = ShortVector.SPECIES_256;

    @Override
    public GGMLType type() {
        return GGMLType.Q8_0;
    }

    @Override
    public ActivationType activationType() {
        return ActivationType.Q8_0;
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
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        return ((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)));
    }

    /**
     * int8 x int8 per block, as llama.cpp's ggml_vec_dot_q8_0_q8_0: 16 weights widen to shorts,
     * multiply the activations' shorts (|w * x| <= 128 * 127, so two products still fit a short),
     * the pairs of adjacent shorts add into 8 ints, and one float FMA per block applies both scales.
     */
    @Override
    public float dot(MemorySegment data, long byteOffset, QuantizedActivations x, int n) {
        if (!Blocks.VECTORIZED) {
            return WeightFormat.super.dot(data, byteOffset, x, n);
        }
        short[] xq = x.q;
        float[] xs = x.scale;
        FloatVector acc = FloatVector.zero(Blocks.F);
        int blocks = n / BLOCK;
        for (int b = 0; b < blocks; b++) {
            long o = byteOffset + (long) b * BYTES;
            int xi = b * BLOCK;
            ShortVector p = ((ShortVector) ByteVector.fromMemorySegment(B16, data, o + 2, Blocks.LE)
                    .convertShape(VectorOperators.B2S, S16, 0)).mul(ShortVector.fromArray(S16, xq, xi))
                    .add(((ShortVector) ByteVector.fromMemorySegment(B16, data, o + 18, Blocks.LE)
                            .convertShape(VectorOperators.B2S, S16, 0)).mul(ShortVector.fromArray(S16, xq, xi + 16)));
            IntVector pi = p.reinterpretAsInts();
            IntVector s = pi.lanewise(VectorOperators.ASHR, 16)
                    .add(pi.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            acc = ((FloatVector) s.convert(VectorOperators.I2F, 0)).fma(
                    FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o)) * xs[b]), acc);
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        return ((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)));
    }
}
