package io.github.tornadollava.kernels.format;

/**
 * An activation vector quantized once per matvec to 8-bit integers in blocks of 32 with one float
 * scale per block (llama.cpp's quantize_row_q8_0, but the scale kept as a float), so integer
 * formats can multiply integers with integers: {@link WeightFormat#dot(java.lang.foreign.MemorySegment,
 * long, QuantizedActivations, int)}. Formats without such a kernel use the float values, which are
 * kept too. Costs accuracy (logits move by ~1e-2), so it is an opt-in of the CPU decoder.
 */
public final class QuantizedActivations {

    public static final int BLOCK = 32;

    /** The int8 values, stored widened to short so only the weights need widening in the kernel. */
    final short[] q;
    /** One scale per block: value ~= q * scale. */
    final float[] scale;
    /** The float source (not copied), for formats that dot with floats. */
    float[] values;
    int valuesOffset;
    private int length;

    /** Room for {@code capacity} values, a multiple of {@link #BLOCK}. */
    public QuantizedActivations(int capacity) {
        if (capacity % BLOCK != 0) {
            throw new IllegalArgumentException("capacity " + capacity + " is not a multiple of " + BLOCK);
        }
        this.q = new short[capacity];
        this.scale = new float[capacity / BLOCK];
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
            int base = offset + b * BLOCK;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            scale[b] = d;
            for (int j = 0; j < BLOCK; j++) {
                q[b * BLOCK + j] = (short) Math.round(x[base + j] * id);
            }
        }
    }

    /** Values quantized by the last {@link #quantize}. */
    public int length() {
        return length;
    }
}
