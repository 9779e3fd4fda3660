package io.github.tornadollava.gguf;

import java.util.Arrays;

import io.github.tornadollava.kernels.format.GGMLType;

/**
 * One tensor's descriptor. {@code ne} is in ggml order: {@code ne[0]} is the contiguous dimension,
 * so a PyTorch {@code (out, in)} weight has {@code ne = [in, out]}. {@code offset} is relative to
 * the start of the data section, {@code byteSize} the bytes its elements take.
 */
public record GGUFTensorInfo(String name, long[] ne, GGMLType type, long offset, long byteSize) {

    public long elementCount() {
        long n = 1;
        for (long d : ne) {
            n *= d;
        }
        return n;
    }

    public int dims() {
        return ne.length;
    }

    /** {@code ne[i]}, or 1 past the stored dimensions. */
    public long ne(int i) {
        return i < ne.length ? ne[i] : 1;
    }

    public String shapeString() {
        return Arrays.toString(ne);
    }
}
