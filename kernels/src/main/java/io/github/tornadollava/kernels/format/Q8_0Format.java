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

    /**
     * Four rows at a time, a quarter of the rows apart, each with
     * {@link #dot(MemorySegment, long, QuantizedActivations, int)}'s operations in its order (so
     * the same bits); the activations are loaded once for the four. Decode streams Q8_0 matrices
     * from DRAM, and four streams per thread keep more of it in flight than one. A quarter apart,
     * not neighbours: a 2048-wide row is 2176 bytes, so neighbouring rows share 4 KiB pages, and four
     * neighbours ran 0.76x of one row at a time from DRAM on one thread (most likely the hardware
     * prefetcher, which follows runs within a page). Paired in one JVM, 2 threads, 128-136 MiB matrices in
     * chunks of 256 rows: 1.13x (2048 wide) and 1.18x (4096 wide) against one row at a time; in
     * cache it costs 0-13%.
     */
    @Override
    public void dotRows(MemorySegment data, long byteOffset, long rowBytes, int rows, QuantizedActivations x, int n,
            float[] out, int outOffset) {
        int quarter = rows / 4;
        if (Blocks.VECTORIZED && quarter > 0) {
            short[] xq = x.q;
            float[] xs = x.scale;
            int blocks = n / BLOCK;
            long stride = quarter * rowBytes;
            for (int r = 0; r < quarter; r++) {
                long row0 = byteOffset + r * rowBytes;
                // the four rows written out: vectors held in an array, or handed to a helper C2 does
                // not inline, are boxed (see Blocks)
                FloatVector acc0 = FloatVector.zero(Blocks.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
                for (int b = 0; b < blocks; b++) {
                    long o0 = row0 + (long) b * BYTES;
                    long o1 = o0 + stride;
                    long o2 = o1 + stride;
                    long o3 = o2 + stride;
                    ShortVector xa = ShortVector.fromArray(S16, xq, b * BLOCK);
                    ShortVector xb = ShortVector.fromArray(S16, xq, b * BLOCK + 16);
                    float dx = xs[b];
                    ShortVector p0 = ((ShortVector) ByteVector.fromMemorySegment(B16, data, o0 + 2, Blocks.LE)
                            .convertShape(VectorOperators.B2S, S16, 0)).mul(xa)
                            .add(((ShortVector) ByteVector.fromMemorySegment(B16, data, o0 + 18, Blocks.LE)
                                    .convertShape(VectorOperators.B2S, S16, 0)).mul(xb));
                    IntVector i0 = p0.reinterpretAsInts();
                    acc0 = ((FloatVector) i0.lanewise(VectorOperators.ASHR, 16)
                            .add(i0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o0)) * dx), acc0);
                    ShortVector p1 = ((ShortVector) ByteVector.fromMemorySegment(B16, data, o1 + 2, Blocks.LE)
                            .convertShape(VectorOperators.B2S, S16, 0)).mul(xa)
                            .add(((ShortVector) ByteVector.fromMemorySegment(B16, data, o1 + 18, Blocks.LE)
                                    .convertShape(VectorOperators.B2S, S16, 0)).mul(xb));
                    IntVector i1 = p1.reinterpretAsInts();
                    acc1 = ((FloatVector) i1.lanewise(VectorOperators.ASHR, 16)
                            .add(i1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o1)) * dx), acc1);
                    ShortVector p2 = ((ShortVector) ByteVector.fromMemorySegment(B16, data, o2 + 2, Blocks.LE)
                            .convertShape(VectorOperators.B2S, S16, 0)).mul(xa)
                            .add(((ShortVector) ByteVector.fromMemorySegment(B16, data, o2 + 18, Blocks.LE)
                                    .convertShape(VectorOperators.B2S, S16, 0)).mul(xb));
                    IntVector i2 = p2.reinterpretAsInts();
                    acc2 = ((FloatVector) i2.lanewise(VectorOperators.ASHR, 16)
                            .add(i2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o2)) * dx), acc2);
                    ShortVector p3 = ((ShortVector) ByteVector.fromMemorySegment(B16, data, o3 + 2, Blocks.LE)
                            .convertShape(VectorOperators.B2S, S16, 0)).mul(xa)
                            .add(((ShortVector) ByteVector.fromMemorySegment(B16, data, o3 + 18, Blocks.LE)
                                    .convertShape(VectorOperators.B2S, S16, 0)).mul(xb));
                    IntVector i3 = p3.reinterpretAsInts();
                    acc3 = ((FloatVector) i3.lanewise(VectorOperators.ASHR, 16)
                            .add(i3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o3)) * dx), acc3);
                }
                out[outOffset + r] = ((acc0.lane(0) + acc0.lane(4)) + (acc0.lane(2) + acc0.lane(6))) + ((acc0.lane(1) + acc0.lane(5)) + (acc0.lane(3) + acc0.lane(7)));
                out[outOffset + r + quarter] = ((acc1.lane(0) + acc1.lane(4)) + (acc1.lane(2) + acc1.lane(6))) + ((acc1.lane(1) + acc1.lane(5)) + (acc1.lane(3) + acc1.lane(7)));
                out[outOffset + r + 2 * quarter] = ((acc2.lane(0) + acc2.lane(4)) + (acc2.lane(2) + acc2.lane(6))) + ((acc2.lane(1) + acc2.lane(5)) + (acc2.lane(3) + acc2.lane(7)));
                out[outOffset + r + 3 * quarter] = ((acc3.lane(0) + acc3.lane(4)) + (acc3.lane(2) + acc3.lane(6))) + ((acc3.lane(1) + acc3.lane(5)) + (acc3.lane(3) + acc3.lane(7)));
            }
        }
        for (int r = 4 * quarter; r < rows; r++) {
            out[outOffset + r] = dot(data, byteOffset + r * rowBytes, x, n);
        }
    }
}
