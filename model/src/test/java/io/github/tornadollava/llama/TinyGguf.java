package io.github.tornadollava.llama;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes small GGUF v3 files (u32/f32/string metadata, F32 or Q8_0 tensors) for tests of model loading. */
final class TinyGguf {

    private static final int ALIGNMENT = 32;

    private record Tensor(String name, long[] ne, float[] data, boolean q8_0) {

        long bytes() {
            return q8_0 ? data.length / 32 * 34L : 4L * data.length;
        }
    }

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    /** Integer values are written as u32, Float as f32, String as string. */
    TinyGguf put(String key, Object value) {
        metadata.put(key, value);
        return this;
    }

    TinyGguf remove(String key) {
        metadata.remove(key);
        return this;
    }

    /** An F32 tensor with ggml shape {@code ne} (ne[0] contiguous). */
    TinyGguf tensor(String name, float[] data, long... ne) {
        tensors.add(new Tensor(name, ne, data, false));
        return this;
    }

    /** As {@link #tensor}, stored as Q8_0 (ggml's quantize_row_q8_0_ref; ne[0] a multiple of 32). */
    TinyGguf tensorQ8_0(String name, float[] data, long... ne) {
        tensors.add(new Tensor(name, ne, data, true));
        return this;
    }

    TinyGguf removeTensor(String name) {
        tensors.removeIf(t -> t.name.equals(name));
        return this;
    }

    Path write(Path path) {
        ByteBuffer header = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0x46554747).putInt(3).putLong(tensors.size()).putLong(metadata.size());
        metadata.forEach((key, value) -> {
            string(header, key);
            switch (value) {
                case Integer i -> header.putInt(4).putInt(i);
                case Float f -> header.putInt(6).putFloat(f);
                case String s -> {
                    header.putInt(8);
                    string(header, s);
                }
                default -> throw new IllegalArgumentException("unsupported metadata value " + value);
            }
        });
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (Tensor t : tensors) {
            string(header, t.name);
            header.putInt(t.ne.length);
            for (long d : t.ne) {
                header.putLong(d);
            }
            header.putInt(t.q8_0 ? 8 : 0).putLong(offset);
            offsets.add(offset);
            offset = align(offset + t.bytes());
        }
        int dataStart = (int) align(header.position());
        ByteBuffer file = ByteBuffer.allocate((int) (dataStart + offset)).order(ByteOrder.LITTLE_ENDIAN);
        file.put(header.flip());
        for (int i = 0; i < tensors.size(); i++) {
            file.position((int) (dataStart + offsets.get(i)));
            Tensor t = tensors.get(i);
            if (t.q8_0) {
                putQ8_0(file, t.data);
            } else {
                for (float v : t.data) {
                    file.putFloat(v);
                }
            }
        }
        try {
            Files.write(path, file.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }

    /** Blocks of 32: the half scale amax / 127, then the 32 values rounded to int8 multiples of it. */
    private static void putQ8_0(ByteBuffer b, float[] data) {
        for (int base = 0; base < data.length; base += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(data[base + j]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            b.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < 32; j++) {
                b.put((byte) Math.round(data[base + j] * id));
            }
        }
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void string(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putLong(bytes.length).put(bytes);
    }
}
