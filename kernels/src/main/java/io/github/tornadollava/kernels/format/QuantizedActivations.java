package io.github.tornadollava.kernels.format;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An activation vector quantized once per matvec the way llama.cpp quantizes the right-hand side
 * of its quantized dot products (its {@code vec_dot_type}), so the decoder's numbers follow
 * llama.cpp's rather than a float reference's:
 * <ul>
 * <li>{@link ActivationType#Q8_0} (for Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 weights): blocks of 32,
 * x86 {@code quantize_row_q8_0}: {@code d = amax / 127} stored as a half, values
 * {@code round_half_even(x * 127 / amax)}. The int8 values feed the integer kernels
 * ({@link WeightFormat#dot(java.lang.foreign.MemorySegment, long, QuantizedActivations, int)});
 * formats without one multiply their floats with {@link #dequantized} ({@code q * d}), which is
 * the same sum in another order.</li>
 * <li>{@link ActivationType#Q8_K} (for the K-quants): blocks of 256, {@code quantize_row_q8_K_ref}:
 * scale {@code -127 / max} of the signed value with the largest magnitude, values rounded to
 * nearest (ties to even) and capped at 127, float scale {@code 1 / iscale}, plus the sum of the
 * values of every 32 (llama.cpp's {@code bsums}, pairwise): the K-quants' integer kernels need them
 * for the sub-block minimums. Only made when asked for at construction.</li>
 * </ul>
 * Q8_1 (llama.cpp's partner of Q4_1/Q5_1) has Q8_0's values and scale plus a block sum rounded to
 * a half; using Q8_0 for those formats differs from it only in that rounding.
 */
public final class QuantizedActivations {

    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;

    public static final int BLOCK = 32;
    public static final int K_BLOCK = 256;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer, ties to even. */
    private static final float ROUND_MAGIC = 12582912f;

    /** The int8 values, stored widened to short so only the weights need widening in the kernel. */
    final short[] q;
    /** One scale per block, the half llama.cpp stores widened back to float: value ~= q * scale. */
    final float[] scale;
    /** {@code q * scale}: what llama.cpp's Q8_0 dot multiplies, for formats with no integer kernel. */
    final float[] dequantized;
    /** Q8_K values times their scale; null unless K-quant activations were asked for. */
    final float[] kDequantized;
    /** The Q8_K int8 values widened to short, as {@link #q} (null without K-quant activations). */
    final short[] kq;
    /** One Q8_K scale per 256 values: value ~= kq * kScale. */
    final float[] kScale;
    /** Sum of the Q8_K values of every 32 (the sub-block of Q4_K and Q5_K). */
    final int[] kSums;
    /** The float source (not copied), for formats that dot with floats. */
    float[] values;
    int valuesOffset;
    private int length;
    private boolean kValid;

    /** Room for {@code capacity} values (a multiple of {@link #BLOCK}), Q8_0 only. */
    public QuantizedActivations(int capacity) {
        this(capacity, false);
    }

    /**
     * Room for {@code capacity} values, a multiple of {@link #BLOCK}; with {@code kQuants} also
     * the Q8_K form of every quantized input whose length is a multiple of {@link #K_BLOCK}.
     */
    public QuantizedActivations(int capacity, boolean kQuants) {
        if (capacity % BLOCK != 0) {
            throw new IllegalArgumentException("capacity " + capacity + " is not a multiple of " + BLOCK);
        }
        this.q = new short[capacity];
        this.scale = new float[capacity / BLOCK];
        this.dequantized = new float[capacity];
        this.kDequantized = kQuants ? new float[capacity] : null;
        this.kq = kQuants ? new short[capacity] : null;
        this.kScale = kQuants ? new float[capacity / K_BLOCK] : null;
        this.kSums = kQuants ? new int[capacity / BLOCK] : null;
    }

    /** True when the last {@link #quantize} also made the Q8_K form (the K-quants' integer kernels need it). */
    boolean hasQ8_K() {
        return kValid;
    }

    /** Quantizes {@code x[offset .. offset+n)}; {@code n} must be a multiple of {@link #BLOCK}. */
    public void quantize(float[] x, int offset, int n) {
        if (n % BLOCK != 0 || n > q.length) {
            throw new IllegalArgumentException(n + " values do not fit blocks of " + BLOCK + " in " + q.length);
        }
        values = x;
        valuesOffset = offset;
        length = n;
        for (int b = 0; b < n / BLOCK; b++) {
            quantizeQ8_0Block(x, offset + b * BLOCK, b);
        }
        kValid = kDequantized != null && n % K_BLOCK == 0;
        if (kValid) {
            for (int b = 0; b < n / K_BLOCK; b++) {
                quantizeQ8_KBlock(x, offset + b * K_BLOCK, b * K_BLOCK);
            }
        }
    }

    /** x86 quantize_row_q8_0 for one block. */
    private void quantizeQ8_0Block(float[] x, int base, int b) {
        scale[b] = q8_0Block(x, base, q, dequantized, b * BLOCK);
    }

    /**
     * x86 quantize_row_q8_0 of the block at {@code x[base..]} (its float order: id = 127 / amax,
     * not 1 / d): the int8 values into {@code q[at..]} when q is not null, {@code q * d} into
     * {@code deq[at..]}; returns d.
     */
    private static float q8_0Block(float[] x, int base, short[] q, float[] deq, int at) {
        if (Blocks.VECTORIZED) {
            return q8_0BlockVector(x, base, q, deq, at);
        }
        float amax = 0;
        for (int j = 0; j < BLOCK; j++) {
            amax = Math.max(amax, Math.abs(x[base + j]));
        }
        float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        float id = amax != 0 ? 127f / amax : 0f;
        for (int j = 0; j < BLOCK; j++) {
            short v = (short) ((x[base + j] * id + ROUND_MAGIC) - ROUND_MAGIC);
            if (q != null) {
                q[at + j] = v;
            }
            deq[at + j] = v * d;
        }
        return d;
    }

    /**
     * {@link #q8_0Block} eight values at a time: the same float operations (multiply, add and
     * subtract the rounding constant, never fused), so the same values; a prefill runs it on every
     * input row of every quantized matmul (it was 1.5% of a 1B Q4_0 pp64 as scalar loops).
     */
    private static float q8_0BlockVector(float[] x, int base, short[] q, float[] deq, int at) {
        FloatVector x0 = FloatVector.fromArray(F8, x, base);
        FloatVector x1 = FloatVector.fromArray(F8, x, base + 8);
        FloatVector x2 = FloatVector.fromArray(F8, x, base + 16);
        FloatVector x3 = FloatVector.fromArray(F8, x, base + 24);
        float amax = x0.abs().max(x1.abs()).max(x2.abs().max(x3.abs())).reduceLanes(VectorOperators.MAX);
        float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        float id = amax != 0 ? 127f / amax : 0f;
        roundAndStore(x0, id, d, q, deq, at);
        roundAndStore(x1, id, d, q, deq, at + 8);
        roundAndStore(x2, id, d, q, deq, at + 16);
        roundAndStore(x3, id, d, q, deq, at + 24);
        return d;
    }

    private static void roundAndStore(FloatVector x, float id, float d, short[] q, float[] deq, int at) {
        FloatVector v = x.mul(id).add(ROUND_MAGIC).sub(ROUND_MAGIC);
        if (q != null) {
            ((ShortVector) v.convertShape(VectorOperators.F2S, S8, 0)).intoArray(q, at);
        }
        v.mul(d).intoArray(deq, at);
    }

    /** quantize_row_q8_K_ref for one block of 256: the int8 values, their scale and sums, and the values dequantized. */
    private void quantizeQ8_KBlock(float[] x, int base, int at) {
        kScale[at / K_BLOCK] = q8_KBlock(x, base, kDequantized, at, kq);
        for (int s = at / BLOCK; s < (at + K_BLOCK) / BLOCK; s++) {
            int sum = 0;
            for (int j = 0; j < BLOCK; j++) {
                sum += kq[s * BLOCK + j];
            }
            kSums[s] = sum;
        }
    }

    /** The block at {@code x[base..]} dequantized into {@code deq[at..]} and, when q is not null, its values into {@code q[at..]}; returns the scale. */
    private static float q8_KBlock(float[] x, int base, float[] deq, int at, short[] q) {
        if (Blocks.VECTORIZED) {
            FloatVector m = FloatVector.fromArray(F8, x, base).abs();
            for (int j = 8; j < K_BLOCK; j += 8) {
                m = m.max(FloatVector.fromArray(F8, x, base + j).abs());
            }
            float amax = m.reduceLanes(VectorOperators.MAX);
            if (amax > 0) { // not all zeros, no NaN: those take the loop below
                // the signed value of the largest magnitude, its first occurrence (as the loop below)
                int first = base;
                while (Math.abs(x[first]) != amax) {
                    first++;
                }
                float iscale = -127f / x[first];
                float d = 1 / iscale;
                for (int j = 0; j < K_BLOCK; j += 8) {
                    // the same float operations as the loop below; min in float = min of the ints
                    FloatVector v = FloatVector.fromArray(F8, x, base + j).mul(iscale).add(ROUND_MAGIC).sub(ROUND_MAGIC).min(127f);
                    if (q != null) {
                        ((ShortVector) v.convertShape(VectorOperators.F2S, S8, 0)).intoArray(q, at + j);
                    }
                    v.mul(d).intoArray(deq, at + j);
                }
                return d;
            }
        }
        float max = 0;
        float amax = 0;
        for (int j = 0; j < K_BLOCK; j++) {
            float ax = Math.abs(x[base + j]);
            if (ax > amax) {
                amax = ax;
                max = x[base + j];
            }
        }
        if (amax == 0) {
            java.util.Arrays.fill(deq, at, at + K_BLOCK, 0f);
            if (q != null) {
                java.util.Arrays.fill(q, at, at + K_BLOCK, (short) 0);
            }
            return 0f;
        }
        float iscale = -127f / max;
        float d = 1 / iscale;
        for (int j = 0; j < K_BLOCK; j++) {
            int v = Math.min(127, (int) ((iscale * x[base + j] + ROUND_MAGIC) - ROUND_MAGIC));
            if (q != null) {
                q[at + j] = (short) v;
            }
            deq[at + j] = v * d;
        }
        return d;
    }

    /**
     * {@code x[offset .. offset+n)} quantized to {@code type} and dequantized into
     * {@code out[outOffset..]}, without touching any instance: the values {@link #quantize} gives
     * a float kernel for that type, but safe to run for many rows in parallel (the batched
     * matmul's inputs, which multiply them in float). {@code n} must be a multiple of {@link #BLOCK}.
     */
    public static void roundTrip(ActivationType type, float[] x, int offset, int n, float[] out, int outOffset) {
        if (n % BLOCK != 0) {
            throw new IllegalArgumentException(n + " values do not fit blocks of " + BLOCK);
        }
        switch (type) {
            case Q8_0 -> {
                for (int b = 0; b < n / BLOCK; b++) {
                    q8_0Block(x, offset + b * BLOCK, null, out, outOffset + b * BLOCK);
                }
            }
            case Q8_K -> {
                if (n % K_BLOCK != 0) {
                    System.arraycopy(x, offset, out, outOffset, n);
                } else {
                    for (int b = 0; b < n / K_BLOCK; b++) {
                        q8_KBlock(x, offset + b * K_BLOCK, out, outOffset + b * K_BLOCK, null);
                    }
                }
            }
            case FLOAT -> System.arraycopy(x, offset, out, outOffset, n);
        }
    }

    /** Values quantized by the last {@link #quantize}. */
    public int length() {
        return length;
    }

    /** The values a format whose llama.cpp partner is {@code type} multiplies with, as floats. */
    float[] floats(ActivationType type) {
        return switch (type) {
            case FLOAT -> values;
            case Q8_0 -> dequantized;
            case Q8_K -> kValid ? kDequantized : values;
        };
    }

    /** Offset of the first value in {@link #floats}. */
    int floatsOffset(ActivationType type) {
        return floats(type) == values ? valuesOffset : 0;
    }
}
