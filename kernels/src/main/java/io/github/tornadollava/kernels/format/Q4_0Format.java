package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml block_q4_0: 18 bytes for 32 weights = {@code half d; uint8 qs[16]}. Byte j holds weight j
 * in its low nibble and weight j+16 in its high nibble; weight = (nibble - 8) * d.
 */
final class Q4_0Format implements WeightFormat {

    private static final int BLOCK = 32;
    private static final int BYTES = 18;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;

    @Override
    public GGMLType type() {
        return GGMLType.Q4_0;
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
            for (int k = 0; k < 16; k += 8) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(Blocks.B8, data, o + 2 + k, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                ((FloatVector) q.and(0xF).sub(8).convert(VectorOperators.I2F, 0)).mul(d).intoArray(out, y + k);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0)).mul(d).intoArray(out, y + 16 + k);
            }
        }
    }

    /** ggml's dequantize_row_q4_0, one byte (two weights) at a time. Used where vectors are narrow; tested everywhere. */
    static void dequantizeScalar(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            int y = outOffset + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = Blocks.u8(data, o + 2 + j);
                out[y + j] = ((q & 0xF) - 8) * d;
                out[y + j + 16] = ((q >> 4) - 8) * d;
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
            FloatVector sum = FloatVector.zero(Blocks.F);
            for (int k = 0; k < 16; k += 8) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(Blocks.B8, data, o + 2 + k, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                FloatVector lo = (FloatVector) q.and(0xF).sub(8).convert(VectorOperators.I2F, 0);
                FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
                sum = lo.fma(FloatVector.fromArray(Blocks.F, x, xi + k), sum);
                sum = hi.fma(FloatVector.fromArray(Blocks.F, x, xi + 16 + k), sum);
            }
            acc = sum.fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o))), acc);
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        return ((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)));
    }

    /**
     * ggml_vec_dot_q4_0_q8_0: the 16 packed bytes widen once to 16 shorts, whose low nibbles are
     * weights 0..15 and high nibbles weights 16..31 (so no shuffle is needed: they line up with
     * activation halves 0..15 and 16..31); (nibble - 8) * x fits a short, so does the sum of the
     * two halves, and adjacent short pairs add into 8 ints before one float FMA per block. The high
     * nibbles shift as ints, then are masked (why: see the constants in {@link Blocks}; 94
     * instructions per 4 blocks instead of 96).
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
            ShortVector w = (ShortVector) ByteVector.fromMemorySegment(B16, data, o + 2, Blocks.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            IntVector p = w.and(Blocks.LOW_NIBBLE).sub(Blocks.EIGHT).mul(ShortVector.fromArray(S16, xq, b * BLOCK))
                    .add(w.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and(Blocks.LOW_NIBBLE)
                            .sub(Blocks.EIGHT).mul(ShortVector.fromArray(S16, xq, b * BLOCK + 16)))
                    .reinterpretAsInts();
            IntVector s = p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            acc = ((FloatVector) s.convert(VectorOperators.I2F, 0)).fma(
                    FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o)) * xs[b]), acc);
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        return ((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)));
    }
}
