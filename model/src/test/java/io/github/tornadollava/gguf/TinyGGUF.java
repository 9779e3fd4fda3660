package io.github.tornadollava.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes small GGUF files byte by byte for the robustness tests: every field is written
 * explicitly (so a test can put any value, valid or not, in any field), and {@link #mark}
 * remembers where a field starts so a test can overwrite it afterwards.
 */
final class TinyGGUF {

    // GGUF metadata value type ids
    static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;

    private ByteBuffer buf = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    private final Map<String, Integer> marks = new HashMap<>();

    TinyGGUF mark(String name) {
        marks.put(name, buf.position());
        return this;
    }

    int at(String name) {
        Integer p = marks.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no mark " + name);
        }
        return p;
    }

    private void room(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    TinyGGUF u8(int v) { room(1); buf.put((byte) v); return this; }
    TinyGGUF u16(int v) { room(2); buf.putShort((short) v); return this; }
    TinyGGUF u32(long v) { room(4); buf.putInt((int) v); return this; }
    TinyGGUF u64(long v) { room(8); buf.putLong(v); return this; }
    TinyGGUF f32(float v) { room(4); buf.putFloat(v); return this; }
    TinyGGUF f64(double v) { room(8); buf.putDouble(v); return this; }

    TinyGGUF bytes(byte[] b) {
        room(b.length);
        buf.put(b);
        return this;
    }

    TinyGGUF str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).bytes(b);
    }

    /** "GGUF", version, tensor count, metadata count. */
    TinyGGUF header(int version, long tensors, long kvs) {
        bytes(new byte[] {'G', 'G', 'U', 'F'});
        mark("version").u32(version);
        mark("tensorCount").u64(tensors);
        return mark("kvCount").u64(kvs);
    }

    /** Key and type id of a metadata entry; the caller writes the value. */
    TinyGGUF key(String key, int type) {
        mark("kv:" + key).str(key);
        return mark("type:" + key).u32(type);
    }

    TinyGGUF tensorInfo(String name, int type, long offset, long... ne) {
        mark("tensor:" + name).str(name);
        mark("ndims:" + name).u32(ne.length);
        mark("ne:" + name);
        for (long d : ne) {
            u64(d);
        }
        mark("ttype:" + name).u32(type);
        return mark("offset:" + name).u64(offset);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    TinyGGUF pad(int alignment) {
        while (buf.position() % alignment != 0) {
            u8(0);
        }
        return this;
    }

    int size() {
        return buf.position();
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf.array(), buf.position());
    }

    static void putU32(byte[] file, int at, long v) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) v);
    }

    static void putU64(byte[] file, int at, long v) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
    }

    /**
     * A valid file with every metadata type (scalars, strings, arrays, a nested array) and three
     * tensors: "w" F32 ne=[8,2] (values 0..15), "q" Q8_0 ne=[32,2], "h" F16 ne=[4] (1,2,3,4).
     */
    static TinyGGUF valid() {
        TinyGGUF g = new TinyGGUF().header(3, 3, 15);
        g.key("general.architecture", STRING).str("llama");
        g.key("general.alignment", UINT32).u32(32);
        g.key("test.u8", UINT8).u8(200);
        g.key("test.i8", INT8).u8(-5);
        g.key("test.u16", UINT16).u16(60000);
        g.key("test.i16", INT16).u16(-300);
        g.key("test.i32", INT32).u32(-70000);
        g.key("test.f32", FLOAT32).f32(1e-5f);
        g.key("test.bool", BOOL).mark("boolValue").u8(1);
        g.key("test.u64", UINT64).u64(1L << 40);
        g.key("test.i64", INT64).u64(-(1L << 40));
        g.key("test.f64", FLOAT64).f64(0.25);
        g.key("test.tokens", ARRAY).u32(STRING).mark("arrayLength").u64(3).str("<unk>").mark("stringLength").str("<s>").str("é✓");
        g.key("test.ints", ARRAY).u32(INT32).u64(3).u32(1).u32(-2).u32(3);
        g.key("test.nested", ARRAY).u32(ARRAY).u64(2)
                .u32(FLOAT32).u64(2).f32(0.5f).f32(1.5f)
                .u32(UINT8).u64(1).u8(7);
        g.tensorInfo("w", 0, 0, 8, 2);
        g.tensorInfo("q", 8, 64, 32, 2);
        g.tensorInfo("h", 1, 160, 4);
        g.pad(32).mark("data");
        for (int i = 0; i < 16; i++) {
            g.f32(i);
        }
        // q at data + 64: two Q8_0 blocks, scale 0.5, quants 0..31
        for (int b = 0; b < 2; b++) {
            g.u16(Float.floatToFloat16(0.5f));
            for (int j = 0; j < 32; j++) {
                g.u8(j);
            }
        }
        g.pad(32);
        for (int i = 1; i <= 4; i++) {
            g.u16(Float.floatToFloat16(i));
        }
        return g;
    }
}
