package io.github.tornadollava.kernels.format;

import java.lang.foreign.MemorySegment;

/**
 * How one ggml element type is decoded and multiplied. This is the single weight-format
 * abstraction of the project: model code never branches on the type, it asks the format.
 *
 * <p>Offsets are in bytes into {@code data} and must sit on a block boundary; {@code n} is a
 * multiple of {@link GGMLType#blockSize}. Implementations are stateless and thread-safe.
 */
public interface WeightFormat {

    GGMLType type();

    /** Decodes {@code n} consecutive values starting at {@code byteOffset} into {@code out[outOffset..]}. */
    void dequantize(MemorySegment data, long byteOffset, float[] out, int outOffset, int n);

    /** Dot product of {@code n} stored values starting at {@code byteOffset} with {@code x[xOffset..]}. */
    float dot(MemorySegment data, long byteOffset, float[] x, int xOffset, int n);

    /**
     * What llama.cpp multiplies this format with: {@link ActivationType#FLOAT} for the float
     * formats, int8 blocks for the quantized ones (which then override it).
     */
    default ActivationType activationType() {
        return ActivationType.FLOAT;
    }

    /**
     * Dot product of {@code n} stored values with the first {@code n} of a quantized activation
     * vector, in the form {@link #activationType()} names. Formats with an integer kernel override
     * this; the others multiply their floats with that form's values dequantized (the same sum as
     * llama.cpp's integer one, in another order).
     */
    default float dot(MemorySegment data, long byteOffset, QuantizedActivations x, int n) {
        ActivationType t = activationType();
        return dot(data, byteOffset, x.floats(t), x.floatsOffset(t), n);
    }

    /**
     * {@code out[outOffset + r] = dot(row r)} for the {@code rows} rows that start at
     * {@code byteOffset}, {@code rowBytes} apart: a matvec's share on one thread. The result is
     * bit for bit that of {@link #dot(MemorySegment, long, float[], int, int)} on each row, however
     * the rows are cut into calls. Formats whose decode is bound by memory override it to read
     * several rows at once (F16 in both forms, Q8_0 with quantized activations).
     */
    default void dotRows(MemorySegment data, long byteOffset, long rowBytes, int rows, float[] x, int xOffset, int n,
            float[] out, int outOffset) {
        for (int r = 0; r < rows; r++) {
            out[outOffset + r] = dot(data, byteOffset + r * rowBytes, x, xOffset, n);
        }
    }

    /** As {@link #dotRows(MemorySegment, long, long, int, float[], int, int, float[], int)} with quantized activations. */
    default void dotRows(MemorySegment data, long byteOffset, long rowBytes, int rows, QuantizedActivations x, int n,
            float[] out, int outOffset) {
        for (int r = 0; r < rows; r++) {
            out[outOffset + r] = dot(data, byteOffset + r * rowBytes, x, n);
        }
    }
}
