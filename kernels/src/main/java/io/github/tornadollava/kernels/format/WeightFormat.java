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
}
