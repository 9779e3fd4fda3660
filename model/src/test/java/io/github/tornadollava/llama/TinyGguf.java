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

/** Writes small GGUF v3 files (u32/f32/string metadata, F32 tensors) for tests of model loading. */
final class TinyGguf {

    private static final int ALIGNMENT = 32;

    private record Tensor(String name, long[] ne, float[] data) {
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
        tensors.add(new Tensor(name, ne, data));
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
            header.putInt(0).putLong(offset);
            offsets.add(offset);
            offset = align(offset + 4L * t.data.length);
        }
        int dataStart = (int) align(header.position());
        ByteBuffer file = ByteBuffer.allocate((int) (dataStart + offset)).order(ByteOrder.LITTLE_ENDIAN);
        file.put(header.flip());
        for (int i = 0; i < tensors.size(); i++) {
            file.position((int) (dataStart + offsets.get(i)));
            for (float v : tensors.get(i).data) {
                file.putFloat(v);
            }
        }
        try {
            Files.write(path, file.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void string(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putLong(bytes.length).put(bytes);
    }
}
