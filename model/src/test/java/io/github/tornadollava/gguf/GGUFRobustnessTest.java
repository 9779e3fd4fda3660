package io.github.tornadollava.gguf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.tornadollava.kernels.format.GGMLType;
import io.github.tornadollava.kernels.format.WeightFormats;

import static io.github.tornadollava.gguf.TinyGGUF.putU32;
import static io.github.tornadollava.gguf.TinyGGUF.putU64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile and broken GGUF files, made by {@link TinyGGUF} from a valid one: each must be rejected
 * with a {@link GGUFException} that names the file and the problem, quickly, without any other
 * exception, an OutOfMemoryError or a hang.
 */
class GGUFRobustnessTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private int files;

    private Path write(byte[] bytes) {
        Path p = dir.resolve("case-" + (files++) + ".gguf");
        try {
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Opening {@code file} fails with a GGUFException naming the file and one of {@code phrases}. */
    private static GGUFException assertRejected(Path file, String... phrases) {
        GGUFException e = assertTimeoutPreemptively(LIMIT,
                () -> assertThrows(GGUFException.class, () -> GGUFFile.open(file).close()));
        String msg = e.getMessage();
        assertTrue(msg.contains(file.toString()), "message does not name the file: " + msg);
        String lower = msg.toLowerCase(Locale.ROOT);
        for (String phrase : phrases) {
            if (lower.contains(phrase.toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        fail("message has none of " + String.join(" / ", phrases) + ": " + msg);
        return e;
    }

    private GGUFException assertRejected(byte[] bytes, String... phrases) {
        return assertRejected(write(bytes), phrases);
    }

    // ---------------------------------------------------------------- the valid file

    @Test
    void theValidFileReadsBack() {
        TinyGGUF g = TinyGGUF.valid();
        try (GGUFFile f = GGUFFile.open(write(g.toBytes()))) {
            assertEquals(3, f.version());
            assertEquals(15, f.metadata().size());
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(32, f.alignment());
            assertEquals(g.at("data"), f.dataStart());
            assertEquals(200, f.getInt("test.u8"));
            assertEquals(-5, f.getInt("test.i8"));
            assertEquals(60000, f.getInt("test.u16"));
            assertEquals(-300, f.getInt("test.i16"));
            assertEquals(-70000, f.getInt("test.i32"));
            assertEquals(1e-5f, f.getFloat("test.f32"));
            assertTrue(f.getBoolean("test.bool", false));
            assertEquals(1L << 40, f.getLong("test.u64"));
            assertEquals(-(1L << 40), f.getLong("test.i64"));
            assertEquals(0.25f, f.getFloat("test.f64"));
            assertArrayEquals(new String[] {"<unk>", "<s>", "é✓"}, f.getStringArray("test.tokens"));
            assertArrayEquals(new int[] {1, -2, 3}, f.getIntArray("test.ints"));
            GGUFArray[] nested = (GGUFArray[]) ((GGUFArray) f.metadata().get("test.nested")).values();
            assertArrayEquals(new float[] {0.5f, 1.5f}, (float[]) nested[0].values());
            assertArrayEquals(new int[] {7}, (int[]) nested[1].values());

            assertEquals(3, f.tensors().size());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, decode(f, "w"));
            float[] q = decode(f, "q");
            for (int i = 0; i < 64; i++) {
                assertEquals(0.5f * (i % 32), q[i]);
            }
            assertArrayEquals(new float[] {1, 2, 3, 4}, decode(f, "h"));

            GGUFException wrongType = assertThrows(GGUFException.class, () -> f.getString("test.u8"));
            assertTrue(wrongType.getMessage().contains("test.u8"));
            GGUFException missing = assertThrows(GGUFException.class, () -> f.tensor("nope"));
            assertTrue(missing.getMessage().contains("missing tensor 'nope'"));
        }
    }

    private static float[] decode(GGUFFile f, String name) {
        GGUFTensorInfo t = f.tensor(name);
        float[] out = new float[(int) t.elementCount()];
        WeightFormats.of(t.type()).dequantize(f.tensorData(t), 0, out, 0, out.length);
        return out;
    }

    // ---------------------------------------------------------------- truncation

    @Test
    void truncatedAtEveryByteOfTheHeaderAndInTheData() {
        byte[] full = TinyGGUF.valid().toBytes();
        int data = TinyGGUF.valid().at("data");
        for (int cut = 0; cut < full.length; cut += cut < data + 8 ? 1 : 13) {
            byte[] part = java.util.Arrays.copyOf(full, cut);
            assertRejected(part, "truncated", "cannot fit", "past the end", "file ends", "exceeds");
        }
    }

    @Test
    void emptyMissingAndDirectory() throws IOException {
        assertRejected(new byte[0], "truncated");
        assertRejected(dir.resolve("absent.gguf"), "no such file");
        Path sub = Files.createDirectory(dir.resolve("sub.gguf"));
        assertRejected(sub, "not a regular file");
    }

    // ---------------------------------------------------------------- header

    @Test
    void wrongMagic() {
        byte[] b = TinyGGUF.valid().toBytes();
        b[0] = 'L';
        assertRejected(b, "not a GGUF file");
        assertRejected("<html>not a model at all</html>".getBytes(), "not a GGUF file");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 99, 0, 0xFFFFFFFFL})
    void unsupportedVersions(long version) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU32(b, g.at("version"), version);
        assertRejected(b, version == 1 ? "version 1 is not supported" : "unsupported GGUF version " + version);
    }

    @Test
    void bigEndianFile() {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU32(b, g.at("version"), Integer.reverseBytes(3));
        assertRejected(b, "big-endian");
    }

    @ParameterizedTest
    @ValueSource(longs = {3_000_000_000L, 1L << 62, -1L, 4})
    void tensorCountBeyondTheFile(long count) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU64(b, g.at("tensorCount"), count);
        assertRejected(b, "tensor descriptors cannot fit", "exceeds", "truncated");
    }

    @ParameterizedTest
    @ValueSource(longs = {3_000_000_000L, 1L << 62, -1L})
    void metadataCountBeyondTheFile(long count) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU64(b, g.at("kvCount"), count);
        assertRejected(b, "metadata entries cannot fit");
    }

    // ---------------------------------------------------------------- metadata

    @ParameterizedTest
    @ValueSource(longs = {3_000_000_000L, 1L << 40, 1L << 62, -1L})
    void arrayLengthBeyondTheFile(long n) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU64(b, g.at("arrayLength"), n);
        assertRejected(b, "elements of 'test.tokens' cannot fit");
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 62, -1L, 1L << 31, 100_000})
    void stringLengthBeyondTheFile(long n) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU64(b, g.at("stringLength"), n);
        assertRejected(b, "exceeds the");
    }

    @Test
    void keyLengthBeyondTheFile() {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU64(b, g.at("kv:test.u8"), 1L << 62);
        assertRejected(b, "length 4611686018427387904 of metadata key #2 exceeds");
    }

    @Test
    void arrayLongerThanAnyRealMetadataIsRefusedEvenWhenTheFileCouldHoldIt() throws IOException {
        // a sparse file big enough for the elements, so only the length cap can stop the allocation
        long n = GGUFFile.MAX_ARRAY_LENGTH + 1L;
        TinyGGUF g = new TinyGGUF().header(3, 0, 1);
        g.key("huge", TinyGGUF.ARRAY).u32(TinyGGUF.UINT64).u64(n);
        Path p = write(g.toBytes());
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(g.size() + 8 * n);
        }
        assertRejected(p, "more than the " + GGUFFile.MAX_ARRAY_LENGTH + " accepted");
    }

    @Test
    void arraysNestedTooDeep() {
        int depth = 9;
        TinyGGUF g = new TinyGGUF().header(3, 0, 1);
        g.key("deep", TinyGGUF.ARRAY);
        for (int i = 0; i < depth; i++) {
            g.u32(TinyGGUF.ARRAY).u64(1);
        }
        g.u32(TinyGGUF.UINT8).u64(1).u8(1);
        assertRejected(g.toBytes(), "nests arrays more than");
    }

    @ParameterizedTest
    @ValueSource(longs = {13, 255, 0xFFFFFFFFL})
    void unknownMetadataType(long type) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU32(b, g.at("type:test.u8"), type);
        assertRejected(b, "metadata 'test.u8' has unknown value type " + type);
    }

    @Test
    void unknownArrayElementType() {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU32(b, g.at("type:test.tokens") + 4, 77);
        assertRejected(b, "is an array of unknown type 77");
    }

    @Test
    void boolThatIsNeitherZeroNorOne() {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        b[g.at("boolValue")] = 2;
        assertRejected(b, "bool has value 2");
    }

    @Test
    void duplicateMetadataKey() {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        // "test.i8" -> "test.u8": same length, so the layout is unchanged
        b[g.at("kv:test.i8") + 8 + 5] = 'u';
        assertRejected(b, "duplicate metadata key 'test.u8'");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 48, 1L << 31})
    void alignmentThatIsNotAPowerOfTwo(long alignment) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU32(b, g.at("type:general.alignment") + 4, alignment);
        assertRejected(b, "general.alignment must be a power of two, got " + alignment);
    }

    @Test
    void alignmentStoredAsAFloat() {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU32(b, g.at("type:general.alignment"), TinyGGUF.FLOAT32);
        putU32(b, g.at("type:general.alignment") + 4, Float.floatToIntBits(32f));
        assertRejected(b, "general.alignment must be a power of two");
    }

    // ---------------------------------------------------------------- tensor descriptors

    @ParameterizedTest
    @ValueSource(longs = {0, 5, 0xFFFFFFFFL})
    void dimensionCountOutOfRange(long dims) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU32(b, g.at("ndims:q"), dims);
        assertRejected(b, "tensor 'q' has " + dims + " dimensions (1..4 allowed)");
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5, 31, 39, 99, 0xFFFFFFFFL})
    void unknownTensorType(long type) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU32(b, g.at("ttype:w"), type);
        assertRejected(b, "tensor 'w' has unknown ggml type id " + type);
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, 1L << 62, -1L})
    void dimensionTooLarge(long ne) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU64(b, g.at("ne:w") + 8, ne);
        assertRejected(b, "tensor 'w' dimension 1 is " + Long.toUnsignedString(ne) + " (too large)");
    }

    @Test
    void elementCountOverflows() {
        TinyGGUF g = new TinyGGUF().header(3, 1, 0);
        long big = Integer.MAX_VALUE;
        g.tensorInfo("t", 0, 0, big, big, big);
        g.pad(32).u64(0);
        assertRejected(g.toBytes(), "tensor 't' element count overflows");
    }

    @Test
    void byteSizeOverflows() {
        TinyGGUF g = new TinyGGUF().header(3, 1, 0);
        long big = Integer.MAX_VALUE;
        g.tensorInfo("t", 0, 0, big - 1, big, 2);
        g.pad(32).u64(0);
        assertRejected(g.toBytes(), "tensor 't' byte size overflows");
    }

    @Test
    void hugeTensorThatWouldNeedPetabytes() {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU64(b, g.at("ne:w"), Integer.MAX_VALUE);
        putU64(b, g.at("ne:w") + 8, Integer.MAX_VALUE);
        assertRejected(b, "tensor 'w'", "extends past the end");
    }

    @ParameterizedTest
    @ValueSource(longs = {33, 1, 48})
    void rowNotAWholeNumberOfBlocks(long ne0) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU64(b, g.at("ne:q"), ne0);
        assertRejected(b, "tensor 'q' row length " + ne0 + " is not a multiple of the Q8_0 block size 32");
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 20, 192, Long.MAX_VALUE - 31, -32, 1L << 62})
    void tensorDataPastTheEnd(long offset) {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU64(b, g.at("offset:h"), offset);
        assertRejected(b, "tensor 'h' (8 bytes at data offset " + Long.toUnsignedString(offset) + ") extends past the end");
    }

    @Test
    void offsetPlusSizeThatWrapsAroundPastTwoToThe64() {
        // 454279 * 31252369 * 649657 = 2^63 - 1 int8 elements at offset 2^63 - 32: start + offset + size
        // overflows twice and lands on a small positive number if the bounds check adds them up
        TinyGGUF g = new TinyGGUF().header(3, 1, 0);
        g.tensorInfo("t", GGMLType.I8.id, Long.MAX_VALUE - 31, 454279, 31252369, 649657);
        g.pad(32).u64(0).u64(0);
        assertRejected(g.toBytes(), "tensor 't' (9223372036854775807 bytes at data offset 9223372036854775776) extends past the end");
    }

    @Test
    void misalignedTensorData() {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU64(b, g.at("offset:h"), 161);
        assertRejected(b, "tensor 'h' offset 161 is not aligned to 32");
    }

    @Test
    void duplicateTensorNames() {
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        b[g.at("tensor:h") + 8] = 'w';
        assertRejected(b, "duplicate tensor name 'w'");
    }

    // ---------------------------------------------------------------- fuzzing

    /**
     * Random byte flips anywhere before the tensor data: every outcome must be a clean open
     * (whose tensors then decode without error) or a GGUFException.
     */
    @Test
    void randomCorruptionNeverEscapesAsAnotherException() {
        byte[] valid = TinyGGUF.valid().toBytes();
        int headerEnd = TinyGGUF.valid().at("data");
        Random rnd = new Random(12345);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 400; round++) {
                byte[] b = valid.clone();
                int flips = 1 + rnd.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int at = rnd.nextInt(headerEnd);
                    b[at] = (byte) (rnd.nextInt(4) == 0 ? 0xFF : rnd.nextInt(256));
                }
                Path p = write(b);
                try (GGUFFile f = GGUFFile.open(p)) {
                    for (GGUFTensorInfo t : f.tensors()) {
                        if (WeightFormats.isSupported(t.type()) && t.elementCount() <= 1 << 20) {
                            float[] out = new float[(int) t.elementCount()];
                            WeightFormats.of(t.type()).dequantize(f.tensorData(t), 0, out, 0, out.length);
                        }
                    }
                } catch (GGUFException e) {
                    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
                } catch (Throwable t) {
                    throw new AssertionError("round " + round + ": " + p + " escaped as " + t, t);
                }
                Files.delete(p);
            }
        });
    }

    @Test
    void typesWithoutAWeightFormatStillOpen() {
        // a file may hold types we cannot compute with; that is the loader's error, not the parser's
        TinyGGUF g = TinyGGUF.valid();
        byte[] b = g.toBytes();
        putU32(b, g.at("ttype:w"), GGMLType.I32.id);
        try (GGUFFile f = GGUFFile.open(write(b))) {
            assertEquals(GGMLType.I32, f.tensor("w").type());
        }
    }
}
