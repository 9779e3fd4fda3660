package io.github.tornadollava.gguf;

import java.lang.reflect.Array;

/**
 * A metadata array: {@code values} is a primitive array ({@code int[]} for 8..32-bit integers,
 * {@code long[]} for 64-bit ones, {@code float[]}, {@code double[]}, {@code boolean[]}), a
 * {@code String[]}, or a {@code GGUFArray[]} for nested arrays.
 */
public record GGUFArray(String elementType, Object values) {

    public int length() {
        return Array.getLength(values);
    }

    @Override
    public String toString() {
        int n = length();
        StringBuilder sb = new StringBuilder("[").append(elementType).append(" x ").append(n);
        if (n > 0) {
            sb.append(": ");
            for (int i = 0; i < Math.min(n, 6); i++) {
                sb.append(i == 0 ? "" : ", ").append(Array.get(values, i));
            }
            if (n > 6) {
                sb.append(", ...");
            }
        }
        return sb.append(']').toString();
    }
}
