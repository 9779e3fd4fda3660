package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q5_0: 22 bytes for 32 weights = {@code half d; uint8 qh[4]; uint8 qs[16]}. The low
 * 4 bits of weights j and j+16 are the nibbles of qs[j] (as in Q4_0); their 5th bits are bits j
 * and j+16 of the little-endian word qh. weight = (q - 16) * d.
 */
final class Q5_0Format implements WeightFormat {

    private static final int BLOCK = 32;
    private static final int BYTES = 22;

    @Override
    public GGMLType type() {
        return GGMLType.Q5_0;
    }

    @Override
    public ActivationType activationType() {
        return ActivationType.Q8_0;
    }

    @Override
    public void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(data, o);
            int qh = data.get(Blocks.LE_INT, o + 2);
            int y = outOffset + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = Blocks.u8(data, o + 6 + j);
                int x0 = ((q & 0xF) | (((qh >>> j) << 4) & 0x10)) - 16;
                int x1 = ((q >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16;
                out[y + j] = x0 * d;
                out[y + j + 16] = x1 * d;
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
            int qh = data.get(Blocks.LE_INT, o + 2);
            // lane i of slice k needs bit k+i (low nibbles) or bit k+16+i (high nibbles) at bit 4
            IntVector hLo = IntVector.broadcast(Blocks.I, qh << 4);
            IntVector hHi = IntVector.broadcast(Blocks.I, qh);
            FloatVector sum = FloatVector.zero(Blocks.F);
            for (int k = 0; k < 16; k += 8) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(Blocks.B8, data, o + 6 + k, Blocks.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                IntVector lo = q.and(0xF).or(hLo.lanewise(VectorOperators.LSHR, IntVector.fromArray(Blocks.I, Blocks.LANE_INDEX, k)).and(0x10));
                IntVector hi = q.lanewise(VectorOperators.LSHR, 4)
                        .or(hHi.lanewise(VectorOperators.LSHR, IntVector.fromArray(Blocks.I, Blocks.LANE_INDEX, k + 12)).and(0x10));
                sum = ((FloatVector) lo.sub(16).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(Blocks.F, x, xi + k), sum);
                sum = ((FloatVector) hi.sub(16).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(Blocks.F, x, xi + 16 + k), sum);
            }
            acc = sum.fma(FloatVector.broadcast(Blocks.F, Float.float16ToFloat(data.get(Blocks.LE_SHORT, o))), acc);
        }
        // a fixed-order lane sum, the same in every JIT tier (reduceLanes is not: see Lanes)
        return ((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)));
    }
}
