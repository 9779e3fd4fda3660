package io.github.tornadollava.kernels.format;

/**
 * How llama.cpp quantizes the activations a weight format is multiplied with (ggml's
 * {@code vec_dot_type}): not at all, int8 blocks of 32 with a half scale, or int8 blocks of 256
 * with a float scale. See {@link QuantizedActivations}.
 */
public enum ActivationType {
    FLOAT,
    Q8_0,
    Q8_K
}
