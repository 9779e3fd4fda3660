package io.github.tornadollava.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import io.github.tornadollava.kernels.format.GGMLType;

/**
 * Off-heap weights of a given type filled with random bits, every fp16 scale field set to a
 * small normal value so that no NaN/infinity (or denormal) path distorts the timing.
 */
public final class RandomWeights {

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private RandomWeights() {
    }

    /** {@code rows x cols} weights of {@code type}, in a segment the whole process may read. */
    public static MemorySegment matrix(GGMLType type, int rows, int cols, long seed) {
        long bytes = type.byteSize((long) rows * cols);
        MemorySegment seg = Arena.ofAuto().allocate(bytes, 64);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; i + 8 <= bytes; i += 8) {
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, i, rnd.nextLong());
        }
        long elements = (long) rows * cols;
        switch (type) {
            case F32 -> { for (long i = 0; i < elements; i++) seg.set(LE_FLOAT, 4 * i, weight(rnd)); }
            case F16 -> { for (long i = 0; i < elements; i++) seg.set(LE_SHORT, 2 * i, Float.floatToFloat16(weight(rnd))); }
            case BF16 -> { for (long i = 0; i < elements; i++) seg.set(LE_SHORT, 2 * i, (short) (Float.floatToRawIntBits(weight(rnd)) >>> 16)); }
            default -> {
                for (long b = 0; b < elements / type.blockSize; b++) {
                    for (int field : scaleFields(type)) {
                        seg.set(LE_SHORT, b * type.typeSize + field, Float.floatToFloat16(0.001f + 0.01f * (float) rnd.nextDouble()));
                    }
                }
            }
        }
        return seg;
    }

    public static float[] vector(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = weight(rnd) * 20;
        }
        return x;
    }

    private static float weight(SplittableRandom rnd) {
        return (float) (rnd.nextDouble() - 0.5) * 0.1f;
    }

    private static int[] scaleFields(GGMLType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException("no benchmark data for " + type);
        };
    }
}
