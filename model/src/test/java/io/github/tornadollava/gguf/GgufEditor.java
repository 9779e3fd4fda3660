package io.github.tornadollava.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.tornadollava.kernels.format.GGMLType;

/**
 * A minimal GGUF v3 writer for tests: start from a copy of an existing file, edit metadata and
 * tensors, write it to a temporary directory. Metadata values are written with the type they
 * were parsed as (Integer -> INT32, Long -> INT64, Float, Double, Boolean, String, arrays).
 */
public final class GgufEditor {

    public record Tensor(long[] ne, GGMLType type, byte[] data) {
    }

    private static final int ALIGNMENT = 32;

    public final Map<String, Object> metadata = new LinkedHashMap<>();
    public final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public static GgufEditor copyOf(Path path) {
        GgufEditor g = new GgufEditor();
        try (GGUFFile f = GGUFFile.open(path)) {
            g.metadata.putAll(f.metadata());
            for (GGUFTensorInfo t : f.tensors()) {
                g.tensors.put(t.name(), new Tensor(t.ne().clone(), t.type(), f.tensorData(t).toArray(ValueLayout.JAVA_BYTE)));
            }
        }
        return g;
    }

    public GgufEditor put(String key, Object value) {
        metadata.put(key, value);
        return this;
    }

    public GgufEditor remove(String key) {
        metadata.remove(key);
        return this;
    }

    public GgufEditor removeTensor(String name) {
        if (tensors.remove(name) == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return this;
    }

    /** Replaces (or adds) a tensor: zeros of the given F32 shape. */
    public GgufEditor reshapeTensor(String name, long... ne) {
        long n = 1;
        for (long d : ne) {
            n *= d;
        }
        tensors.put(name, new Tensor(ne, GGMLType.F32, new byte[(int) (4 * n)]));
        return this;
    }

    /** Rewrites every F16 tensor as F32 holding the same values (F16 -> F32 widening is exact). */
    public GgufEditor widenF16() {
        tensors.replaceAll((name, t) -> {
            if (t.type() != GGMLType.F16) {
                return t;
            }
            ByteBuffer in = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer out = ByteBuffer.allocate(t.data().length * 2).order(ByteOrder.LITTLE_ENDIAN);
            while (in.hasRemaining()) {
                out.putFloat(Float.float16ToFloat(in.getShort()));
            }
            return new Tensor(t.ne(), GGMLType.F32, out.array());
        });
        return this;
    }

    public static GGUFArray intArray(int... values) {
        return new GGUFArray("INT32", values);
    }

    public Path write(Path path) {
        Out out = new Out();
        out.i32(0x46554747);
        out.i32(3);
        out.i64(tensors.size());
        out.i64(metadata.size());
        metadata.forEach((k, v) -> {
            out.string(k);
            value(out, v);
        });
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            out.string(e.getKey());
            out.i32(t.ne().length);
            for (long d : t.ne()) {
                out.i64(d);
            }
            out.i32(t.type().id);
            out.i64(offset);
            offset = (offset + t.data().length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        }
        out.pad();
        for (Tensor t : tensors.values()) {
            out.bytes.writeBytes(t.data());
            out.pad();
        }
        try {
            Files.write(path, out.bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }

    /** Type id, then the value. */
    private static void value(Out out, Object v) {
        switch (v) {
            case Integer i -> { out.i32(5); out.i32(i); }
            case Long l -> { out.i32(11); out.i64(l); }
            case Float f -> { out.i32(6); out.i32(Float.floatToRawIntBits(f)); }
            case Double d -> { out.i32(12); out.i64(Double.doubleToRawLongBits(d)); }
            case Boolean b -> { out.i32(7); out.bytes.write(b ? 1 : 0); }
            case String s -> { out.i32(8); out.string(s); }
            case GGUFArray a -> {
                out.i32(9);
                switch (a.values()) {
                    case float[] fs -> {
                        out.i32(6);
                        out.i64(fs.length);
                        for (float f : fs) {
                            out.i32(Float.floatToRawIntBits(f));
                        }
                    }
                    case int[] is -> {
                        out.i32(5);
                        out.i64(is.length);
                        for (int i : is) {
                            out.i32(i);
                        }
                    }
                    case long[] ls -> {
                        out.i32(11);
                        out.i64(ls.length);
                        for (long l : ls) {
                            out.i64(l);
                        }
                    }
                    case String[] ss -> {
                        out.i32(8);
                        out.i64(ss.length);
                        for (String s : ss) {
                            out.string(s);
                        }
                    }
                    default -> throw new IllegalArgumentException("array of " + a.elementType() + " not supported by the test writer");
                }
            }
            default -> throw new IllegalArgumentException("metadata value " + v + " not supported by the test writer");
        }
    }

    /** Little-endian primitives appended to a growing byte array. */
    private static final class Out {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        void i32(int v) {
            bytes.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        }

        void i64(long v) {
            bytes.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            bytes.writeBytes(b);
        }

        void pad() {
            while (bytes.size() % ALIGNMENT != 0) {
                bytes.write(0);
            }
        }
    }
}
