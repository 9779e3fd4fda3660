package io.github.tornadollava.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ArrayList;

import io.github.tornadollava.kernels.format.GGMLType;

/**
 * A GGUF (v2/v3) file, memory-mapped: metadata and tensor descriptors are parsed eagerly and
 * checked against the file's size; tensor data stays in the mapping and is handed out as
 * {@link MemorySegment} slices, so a 7 GB model costs no heap.
 *
 * <p>Everything read from the file is validated before use; a malformed file raises a
 * {@link GGUFException} that names the file, the byte offset and the problem.
 */
public final class GGUFFile implements AutoCloseable {

    private static final int MAGIC = 0x46554747; // "GGUF" little-endian
    private static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_NESTING = 8;
    /**
     * Longest metadata array accepted. Real files stay far below (the largest are tokenizer
     * vocabularies and merge lists of a few 100k entries); the cap keeps a corrupt length from
     * turning into gigabytes of heap even when the file is big enough to "hold" it.
     */
    static final int MAX_ARRAY_LENGTH = 1 << 24;
    static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GGUFTensorInfo> tensors;
    private final int alignment;
    private final long dataStart;

    private GGUFFile(Path path, Arena arena, MemorySegment mapping) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        Reader r = new Reader(path, mapping);
        int magic = r.i32("magic");
        if (magic != MAGIC) {
            throw new GGUFException(path, String.format("not a GGUF file (magic 0x%08x, expected \"GGUF\")", magic));
        }
        int v = r.i32("version");
        if (v == 1) {
            throw new GGUFException(path, "GGUF version 1 is not supported (re-convert the model; versions 2 and 3 are)");
        }
        if (v != 2 && v != 3) {
            if (Integer.reverseBytes(v) == 2 || Integer.reverseBytes(v) == 3) {
                throw new GGUFException(path, "big-endian GGUF files are not supported");
            }
            throw new GGUFException(path, "unsupported GGUF version " + Integer.toUnsignedString(v));
        }
        this.version = v;
        long tensorCount = r.u64("tensor count");
        long kvCount = r.u64("metadata count");
        // Each entry takes at least this many bytes, so absurd counts are caught before any allocation.
        r.requireCount(kvCount, 13, "metadata entries");
        Map<String, Object> md = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = r.pos;
            String key = r.string("metadata key #" + i);
            long typeId = r.u32("type of " + key);
            GGUFValueType type = GGUFValueType.fromId(typeId);
            if (type == null) {
                throw r.error(at, "metadata '" + key + "' has unknown value type " + typeId);
            }
            Object value = r.value(type, key, 0);
            if (md.put(key, value) != null) {
                throw r.error(at, "duplicate metadata key '" + key + "'");
            }
        }
        this.metadata = Collections.unmodifiableMap(md);

        Object al = md.get("general.alignment");
        int align = DEFAULT_ALIGNMENT;
        if (al != null) {
            // llama.cpp stores it as uint32; any integer type is accepted here, floats are not
            boolean integer = al instanceof Integer || al instanceof Long;
            long a = integer ? ((Number) al).longValue() : 0;
            if (!integer || a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
                throw new GGUFException(path, "general.alignment must be a power of two, got " + al);
            }
            align = (int) a;
        }
        this.alignment = align;

        r.requireCount(tensorCount, 32, "tensor descriptors");
        List<GGUFTensorInfo> infos = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            infos.add(readTensorInfo(r, i));
        }
        long start = alignUp(r.pos, align);
        if (start > mapping.byteSize() && tensorCount > 0) {
            throw new GGUFException(path, "file ends (" + mapping.byteSize() + " bytes) before its tensor data section at " + start);
        }
        this.dataStart = start;
        Map<String, GGUFTensorInfo> byName = new LinkedHashMap<>();
        long dataBytes = Math.max(0, mapping.byteSize() - start);
        for (GGUFTensorInfo t : infos) {
            if (Long.remainderUnsigned(t.offset(), align) != 0) {
                throw new GGUFException(path, "tensor '" + t.name() + "' offset " + Long.toUnsignedString(t.offset())
                        + " is not aligned to " + align);
            }
            // offsets are unsigned in the file; compare without ever adding, so nothing can wrap
            if (t.offset() < 0 || t.offset() > dataBytes || t.byteSize() > dataBytes - t.offset()) {
                throw new GGUFException(path, "tensor '" + t.name() + "' (" + t.byteSize() + " bytes at data offset "
                        + Long.toUnsignedString(t.offset()) + ") extends past the end of the file (" + mapping.byteSize()
                        + " bytes, data section from byte " + start + "): truncated or corrupt");
            }
            if (byName.put(t.name(), t) != null) {
                throw new GGUFException(path, "duplicate tensor name '" + t.name() + "'");
            }
        }
        this.tensors = Collections.unmodifiableMap(byName);
    }

    /** Opens and validates {@code path}. The caller closes it, which unmaps the tensor data. */
    public static GGUFFile open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new GGUFException(path, Files.exists(path) ? "not a regular file" : "no such file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new GGUFFile(path, arena, seg);
        } catch (IOException e) {
            arena.close();
            throw new GGUFException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private GGUFTensorInfo readTensorInfo(Reader r, long index) {
        long at = r.pos;
        String name = r.string("name of tensor #" + index);
        long nDims = r.u32("dimension count of " + name);
        if (nDims < 1 || nDims > MAX_DIMS) {
            throw r.error(at, "tensor '" + name + "' has " + nDims + " dimensions (1.." + MAX_DIMS + " allowed)");
        }
        long[] ne = new long[(int) nDims];
        long count = 1;
        for (int d = 0; d < nDims; d++) {
            ne[d] = r.u64("ne[" + d + "] of " + name);
            if (ne[d] < 0 || ne[d] > Integer.MAX_VALUE) {
                throw r.error(at, "tensor '" + name + "' dimension " + d + " is " + Long.toUnsignedString(ne[d]) + " (too large)");
            }
            try {
                count = Math.multiplyExact(count, ne[d]);
            } catch (ArithmeticException e) {
                throw r.error(at, "tensor '" + name + "' element count overflows");
            }
        }
        long typeId = r.u32("type of " + name);
        GGMLType type = GGMLType.fromId(typeId);
        if (type == null) {
            throw r.error(at, "tensor '" + name + "' has unknown ggml type id " + typeId);
        }
        if (ne[0] % type.blockSize != 0) {
            throw r.error(at, "tensor '" + name + "' row length " + ne[0] + " is not a multiple of the " + type + " block size " + type.blockSize);
        }
        long offset = r.u64("data offset of " + name);
        long bytes;
        try {
            bytes = type.byteSize(count);
        } catch (ArithmeticException e) {
            throw r.error(at, "tensor '" + name + "' byte size overflows");
        }
        return new GGUFTensorInfo(name, ne, type, offset, bytes);
    }

    private static long alignUp(long x, int a) {
        return (x + a - 1) / a * a;
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    public long dataStart() {
        return dataStart;
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    /** All metadata in file order. Values: Integer/Long/Float/Double/Boolean/String or {@link GGUFArray}. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    /** Tensor descriptors in file order. */
    public List<GGUFTensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    public Optional<GGUFTensorInfo> findTensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    public GGUFTensorInfo tensor(String name) {
        GGUFTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new GGUFException(path, "missing tensor '" + name + "'");
        }
        return t;
    }

    /** The bytes of a tensor, a slice of the mapping (valid until {@link #close()}). */
    public MemorySegment tensorData(GGUFTensorInfo t) {
        return mapping.asSlice(dataStart + t.offset(), t.byteSize());
    }

    // ---- typed metadata accessors: a missing key or wrong type is an error naming the file ----

    public String getString(String key) {
        return require(key, String.class);
    }

    public String getString(String key, String def) {
        return has(key) ? getString(key) : def;
    }

    public long getLong(String key) {
        return require(key, Number.class).longValue();
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new GGUFException(path, "metadata '" + key + "' = " + v + " is out of range");
        }
        return (int) v;
    }

    public int getInt(String key, int def) {
        return has(key) ? getInt(key) : def;
    }

    public float getFloat(String key) {
        return require(key, Number.class).floatValue();
    }

    public float getFloat(String key, float def) {
        return has(key) ? getFloat(key) : def;
    }

    public boolean getBoolean(String key, boolean def) {
        return has(key) ? require(key, Boolean.class) : def;
    }

    public String[] getStringArray(String key) {
        return arrayOf(key, String[].class);
    }

    public float[] getFloatArray(String key) {
        return arrayOf(key, float[].class);
    }

    public int[] getIntArray(String key) {
        return arrayOf(key, int[].class);
    }

    private <T> T arrayOf(String key, Class<T> cls) {
        GGUFArray a = require(key, GGUFArray.class);
        if (!cls.isInstance(a.values())) {
            throw new GGUFException(path, "metadata '" + key + "' is an array of " + a.elementType() + ", expected " + cls.getComponentType().getSimpleName());
        }
        return cls.cast(a.values());
    }

    private <T> T require(String key, Class<T> cls) {
        Object v = metadata.get(key);
        if (v == null) {
            throw new GGUFException(path, "missing metadata key '" + key + "'");
        }
        if (!cls.isInstance(v)) {
            throw new GGUFException(path, "metadata '" + key + "' is " + v.getClass().getSimpleName() + ", expected " + cls.getSimpleName());
        }
        return cls.cast(v);
    }

    @Override
    public void close() {
        arena.close();
    }

    /** A bounds-checked little-endian cursor over the mapping. */
    private static final class Reader {
        private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        final Path path;
        final MemorySegment seg;
        long pos;

        Reader(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
        }

        GGUFException error(long at, String problem) {
            return new GGUFException(path, "at byte " + at + ": " + problem);
        }

        void need(long n, String what) {
            if (n < 0 || seg.byteSize() - pos < n) {
                throw error(pos, "truncated: file ends while reading " + what);
            }
        }

        void requireCount(long count, long minBytesEach, String what) {
            long remaining = seg.byteSize() - pos;
            if (count < 0 || count > remaining / minBytesEach) {
                throw error(pos, Long.toUnsignedString(count) + " " + what + " cannot fit in the remaining " + remaining + " bytes");
            }
        }

        int i32(String what) {
            need(4, what);
            int v = seg.get(I32, pos);
            pos += 4;
            return v;
        }

        long u32(String what) {
            return Integer.toUnsignedLong(i32(what));
        }

        long u64(String what) {
            need(8, what);
            long v = seg.get(I64, pos);
            pos += 8;
            return v;
        }

        String string(String what) {
            long len = u64("length of " + what);
            long remaining = seg.byteSize() - pos;
            if (len < 0 || len > remaining) {
                throw error(pos - 8, "length " + Long.toUnsignedString(len) + " of " + what + " exceeds the "
                        + remaining + " bytes left in the file: truncated or corrupt");
            }
            if (len > Integer.MAX_VALUE - 8) {
                throw error(pos - 8, "length " + len + " of " + what + " is too long for a string");
            }
            byte[] b = new byte[(int) len];
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, (int) len);
            pos += len;
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)
                        .decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw error(pos - len, what + " is not UTF-8");
            }
        }

        Object value(GGUFValueType type, String key, int depth) {
            return switch (type) {
                case UINT8 -> { need(1, key); yield Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, pos++)); }
                case INT8 -> { need(1, key); yield (int) seg.get(ValueLayout.JAVA_BYTE, pos++); }
                case UINT16 -> { need(2, key); int v = Short.toUnsignedInt(seg.get(I16, pos)); pos += 2; yield v; }
                case INT16 -> { need(2, key); int v = seg.get(I16, pos); pos += 2; yield v; }
                case UINT32 -> u32(key);
                case INT32 -> i32(key);
                case FLOAT32 -> { need(4, key); float v = seg.get(F32, pos); pos += 4; yield v; }
                case BOOL -> {
                    need(1, key);
                    byte b = seg.get(ValueLayout.JAVA_BYTE, pos);
                    if (b != 0 && b != 1) {
                        throw error(pos, "metadata '" + key + "' bool has value " + b);
                    }
                    pos++;
                    yield b == 1;
                }
                case STRING -> string("value of " + key);
                case UINT64, INT64 -> u64(key);
                case FLOAT64 -> { need(8, key); double v = seg.get(F64, pos); pos += 8; yield v; }
                case ARRAY -> array(key, depth);
            };
        }

        GGUFArray array(String key, int depth) {
            long at = pos;
            if (depth >= MAX_ARRAY_NESTING) {
                throw error(at, "metadata '" + key + "' nests arrays more than " + MAX_ARRAY_NESTING + " deep");
            }
            long typeId = u32("array type of " + key);
            GGUFValueType et = GGUFValueType.fromId(typeId);
            if (et == null) {
                throw error(at, "metadata '" + key + "' is an array of unknown type " + typeId);
            }
            long n = u64("array length of " + key);
            requireCount(n, et.minSize(), "elements of '" + key + "'");
            if (n > MAX_ARRAY_LENGTH) {
                throw error(at, "metadata '" + key + "' array has " + n + " elements, more than the " + MAX_ARRAY_LENGTH + " accepted");
            }
            int len = (int) n;
            Object values = switch (et) {
                case UINT8, INT8, UINT16, INT16, INT32 -> {
                    int[] a = new int[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = ((Number) value(et, key, depth)).intValue();
                    }
                    yield a;
                }
                case UINT32, UINT64, INT64 -> {
                    long[] a = new long[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = ((Number) value(et, key, depth)).longValue();
                    }
                    yield a;
                }
                case FLOAT32 -> {
                    float[] a = new float[len];
                    MemorySegment.copy(seg, F32, pos, a, 0, len);
                    pos += 4L * len;
                    yield a;
                }
                case FLOAT64 -> {
                    double[] a = new double[len];
                    MemorySegment.copy(seg, F64, pos, a, 0, len);
                    pos += 8L * len;
                    yield a;
                }
                case BOOL -> {
                    boolean[] a = new boolean[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = (Boolean) value(et, key, depth);
                    }
                    yield a;
                }
                case STRING -> {
                    String[] a = new String[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = string("element " + i + " of " + key);
                    }
                    yield a;
                }
                case ARRAY -> {
                    GGUFArray[] a = new GGUFArray[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = array(key, depth + 1);
                    }
                    yield a;
                }
            };
            return new GGUFArray(et.name(), values);
        }
    }
}
