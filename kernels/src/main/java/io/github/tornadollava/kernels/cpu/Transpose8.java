package io.github.tornadollava.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transposes of 8-row blocks in 256-bit registers, for the places that turn token rows into
 * token lanes and back ({@link MatMul}'s activations and write-back, the attention's queries
 * and outputs). One 8 x 8 block takes three rounds: rows 1, 2 and 4 apart exchange single lanes,
 * then pairs, then halves, each output one lane permutation and one blend (48 vector ops for 64
 * values, where one scalar load and store each took 128).
 */
final class Transpose8 {

    static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    /** Whether 256-bit vectors are native here (AVX2 and up); elsewhere the callers stay scalar. */
    static final boolean NATIVE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    /** Swap adjacent groups of 1, 2 and 4 lanes; blend masks selecting the odd groups. */
    static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(S8, lane -> lane ^ 1);
    static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(S8, lane -> lane ^ 2);
    static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(S8, lane -> lane ^ 4);
    static final VectorMask<Float> ODD1 = VectorMask.fromLong(S8, 0b10101010);
    static final VectorMask<Float> ODD2 = VectorMask.fromLong(S8, 0b11001100);
    static final VectorMask<Float> ODD4 = VectorMask.fromLong(S8, 0b11110000);

    private Transpose8() {
    }

    /**
     * {@code dst[dstOff + k * dstStride + j] = src[srcOff + j * srcStride + k]} for rows j < 8 and
     * columns k < n: eight columns at a time in registers where {@link #NATIVE}, the rest one value
     * at a time.
     */
    static void rows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, int n) {
        int k = 0;
        if (NATIVE) {
            for (; k + 8 <= n; k += 8) {
                int c = srcOff + k;
                FloatVector v0 = FloatVector.fromArray(S8, src, c);
                FloatVector v1 = FloatVector.fromArray(S8, src, c + srcStride);
                FloatVector v2 = FloatVector.fromArray(S8, src, c + 2 * srcStride);
                FloatVector v3 = FloatVector.fromArray(S8, src, c + 3 * srcStride);
                FloatVector v4 = FloatVector.fromArray(S8, src, c + 4 * srcStride);
                FloatVector v5 = FloatVector.fromArray(S8, src, c + 5 * srcStride);
                FloatVector v6 = FloatVector.fromArray(S8, src, c + 6 * srcStride);
                FloatVector v7 = FloatVector.fromArray(S8, src, c + 7 * srcStride);
                FloatVector w0 = v0.blend(v1.rearrange(SWAP1), ODD1), w1 = v0.rearrange(SWAP1).blend(v1, ODD1);
                FloatVector w2 = v2.blend(v3.rearrange(SWAP1), ODD1), w3 = v2.rearrange(SWAP1).blend(v3, ODD1);
                FloatVector w4 = v4.blend(v5.rearrange(SWAP1), ODD1), w5 = v4.rearrange(SWAP1).blend(v5, ODD1);
                FloatVector w6 = v6.blend(v7.rearrange(SWAP1), ODD1), w7 = v6.rearrange(SWAP1).blend(v7, ODD1);
                FloatVector x0 = w0.blend(w2.rearrange(SWAP2), ODD2), x2 = w0.rearrange(SWAP2).blend(w2, ODD2);
                FloatVector x1 = w1.blend(w3.rearrange(SWAP2), ODD2), x3 = w1.rearrange(SWAP2).blend(w3, ODD2);
                FloatVector x4 = w4.blend(w6.rearrange(SWAP2), ODD2), x6 = w4.rearrange(SWAP2).blend(w6, ODD2);
                FloatVector x5 = w5.blend(w7.rearrange(SWAP2), ODD2), x7 = w5.rearrange(SWAP2).blend(w7, ODD2);
                int o = dstOff + k * dstStride;
                x0.blend(x4.rearrange(SWAP4), ODD4).intoArray(dst, o);
                x1.blend(x5.rearrange(SWAP4), ODD4).intoArray(dst, o + dstStride);
                x2.blend(x6.rearrange(SWAP4), ODD4).intoArray(dst, o + 2 * dstStride);
                x3.blend(x7.rearrange(SWAP4), ODD4).intoArray(dst, o + 3 * dstStride);
                x0.rearrange(SWAP4).blend(x4, ODD4).intoArray(dst, o + 4 * dstStride);
                x1.rearrange(SWAP4).blend(x5, ODD4).intoArray(dst, o + 5 * dstStride);
                x2.rearrange(SWAP4).blend(x6, ODD4).intoArray(dst, o + 6 * dstStride);
                x3.rearrange(SWAP4).blend(x7, ODD4).intoArray(dst, o + 7 * dstStride);
            }
        }
        for (; k < n; k++) {
            for (int j = 0; j < 8; j++) {
                dst[dstOff + k * dstStride + j] = src[srcOff + j * srcStride + k];
            }
        }
    }
}
