package io.github.tornadollava.kernels.format;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every weight format against {@link GgmlReference} on random blocks: dequantize bit-exact, dot
 * equal to dequantize-then-multiply within float rounding, at block offsets inside a larger buffer.
 */
class WeightFormatsTest {

    private static final int N = 1024; // 4 K-quant super-blocks, 32 small blocks

    /** Byte offsets of the fp16 scale fields inside one block, which must hold sane values. */
    private static int[] scaleFields(GGMLType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
    }

    /** Random payload bits (every nibble and high-bit pattern occurs) with small normal fp16 scales. */
    static byte[] randomData(GGMLType type, int n, Random rnd) {
        byte[] bytes = new byte[(int) type.byteSize(n)];
        rnd.nextBytes(bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> { for (int i = 0; i < n; i++) b.putFloat(4 * i, (float) rnd.nextGaussian()); }
            case F16 -> { for (int i = 0; i < n; i++) b.putShort(2 * i, Float.floatToFloat16((float) rnd.nextGaussian() * 0.1f)); }
            case BF16 -> { for (int i = 0; i < n; i++) b.putShort(2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16)); }
            default -> {
                for (int blk = 0; blk < n / type.blockSize; blk++) {
                    for (int field : scaleFields(type)) {
                        float v = (float) ((rnd.nextBoolean() ? 1 : -1) * (0.001 + 0.05 * rnd.nextDouble()));
                        b.putShort(blk * type.typeSize + field, Float.floatToFloat16(v));
                    }
                }
            }
        }
        return bytes;
    }

    private static MemorySegment offHeap(byte[] bytes) {
        MemorySegment seg = Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return seg;
    }

    private static float[] randomX(int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void registeredForItsType(GGMLType type) {
        assertTrue(WeightFormats.isSupported(type));
        assertEquals(type, WeightFormats.of(type).type());
    }

    @Test
    void unsupportedTypeIsNamed() {
        assertFalse(WeightFormats.isSupported(GGMLType.Q2_K));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> WeightFormats.of(GGMLType.Q2_K));
        assertTrue(e.getMessage().contains("Q2_K"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void dequantizeIsBitExactWithGgml(GGMLType type) {
        Random rnd = new Random(type.id * 7919L + 1);
        byte[] bytes = randomData(type, N, rnd);
        float[] want = GgmlReference.dequantize(type, bytes, N);
        WeightFormat format = WeightFormats.of(type);
        MemorySegment seg = offHeap(bytes);

        float[] got = new float[N];
        format.dequantize(seg, 0, got, 0, N);
        assertBitsEqual(want, 0, got, 0, N, type + " whole buffer");

        // a run of blocks in the middle, written at an odd output offset
        int skip = type.blockSize == 1 ? 37 : type.blockSize;
        int len = N - 2 * skip;
        float[] out = new float[len + 11];
        format.dequantize(seg, type.byteSize(skip), out, 5, len);
        assertBitsEqual(want, skip, out, 5, len, type + " slice");
        assertEquals(0f, out[4]);
        assertEquals(0f, out[5 + len]);
    }

    /** The portable decoders that machines without 256-bit vectors use instead of the vector ones. */
    @ParameterizedTest
    @EnumSource(names = {"BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void scalarDequantizeIsBitExactToo(GGMLType type) {
        Random rnd = new Random(type.id * 31L + 5);
        byte[] bytes = randomData(type, N, rnd);
        float[] want = GgmlReference.dequantize(type, bytes, N);
        MemorySegment seg = offHeap(bytes);
        int skip = type.blockSize == 1 ? 3 : type.blockSize;
        int len = N - skip;
        float[] got = new float[len + 2];
        switch (type) {
            case BF16 -> BF16Format.dequantizeScalar(seg, type.byteSize(skip), got, 2, len);
            case Q8_0 -> Q8_0Format.dequantizeScalar(seg, type.byteSize(skip), got, 2, len);
            case Q4_0 -> Q4_0Format.dequantizeScalar(seg, type.byteSize(skip), got, 2, len);
            case Q4_K -> Q4_KFormat.dequantizeScalar(seg, type.byteSize(skip), got, 2, len);
            case Q6_K -> Q6_KFormat.dequantizeScalar(seg, type.byteSize(skip), got, 2, len);
            default -> throw new AssertionError(type);
        }
        assertBitsEqual(want, skip, got, 2, len, type + " scalar");
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void dotEqualsDequantizeThenMultiply(GGMLType type) {
        Random rnd = new Random(type.id * 104729L + 3);
        WeightFormat format = WeightFormats.of(type);
        // unit-size types get a length that leaves a scalar tail behind the vector loop
        int[] lengths = type.blockSize == 1 ? new int[] {N, N - 3, 7, 0} : new int[] {N, type.blockSize, 0};
        for (int n : lengths) {
            byte[] bytes = randomData(type, N, rnd);
            float[] w = GgmlReference.dequantize(type, bytes, N);
            MemorySegment seg = offHeap(bytes);
            float[] x = randomX(N + 9, rnd);
            int skip = Math.min(N - n, type.blockSize == 1 ? 1 : type.blockSize);
            int xOff = 9;
            checkDot(type + " n=" + n, format.dot(seg, type.byteSize(skip), x, xOff, n), w, skip, x, xOff, n);
            checkDot(type + " fallback n=" + n, Blocks.dotByDequantizing(format, seg, type.byteSize(skip), x, xOff, n), w, skip, x, xOff, n);
        }
    }

    /**
     * The first dot of a format (interpreted or C1) against the same dot after thousands more
     * (C2), bit for bit, with float and with quantized activations: the lane sums at the end of
     * every dot must not change order when the kernel gets compiled (see simd.Lanes).
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void dotDoesNotDependOnTheJitTier(GGMLType type) {
        Random rnd = new Random(type.id * 7919L + 5);
        WeightFormat format = WeightFormats.of(type);
        int n = 256;
        MemorySegment seg = offHeap(randomData(type, n, rnd));
        float[] x = randomX(n, rnd);
        QuantizedActivations q = new QuantizedActivations(n, true);
        q.quantize(x, 0, n);
        float floatDot = format.dot(seg, 0, x, 0, n);
        float quantizedDot = format.dot(seg, 0, q, n);
        for (int round = 0; round < 20_000; round++) {
            float f = format.dot(seg, 0, x, 0, n);
            float qd = format.dot(seg, 0, q, n);
            if (Float.floatToRawIntBits(f) != Float.floatToRawIntBits(floatDot)
                    || Float.floatToRawIntBits(qd) != Float.floatToRawIntBits(quantizedDot)) {
                fail(type + " at call " + round + ": float dot " + floatDot + " -> " + f + ", quantized " + quantizedDot + " -> " + qd);
            }
        }
    }

    /**
     * dotRows (a matvec's share on one thread; F16 and Q8_0 read four rows a quarter apart at a
     * time) gives each row the bits of its own dot, for every way a matvec may cut rows into calls
     * (any start, 1 to 16 rows: quarters and a remainder), with float and with quantized activations, cold and
     * compiled: a matvec's result must not depend on the thread count.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void dotRowsGivesEachRowTheBitsOfItsDot(GGMLType type) {
        Random rnd = new Random(type.id * 104729L + 11);
        WeightFormat format = WeightFormats.of(type);
        int n = 512;
        int rows = 20;
        long rowBytes = type.byteSize(n);
        byte[] bytes = new byte[Math.toIntExact(rowBytes * rows)];
        for (int r = 0; r < rows; r++) {
            byte[] row = randomData(type, n, rnd);
            System.arraycopy(row, 0, bytes, Math.toIntExact(r * rowBytes), row.length);
        }
        MemorySegment seg = offHeap(bytes);
        float[] x = randomX(n + 3, rnd);
        QuantizedActivations q = new QuantizedActivations(n, true);
        q.quantize(x, 3, n);
        float[] wantFloat = new float[rows];
        float[] wantQuantized = new float[rows];
        for (int r = 0; r < rows; r++) {
            wantFloat[r] = format.dot(seg, r * rowBytes, x, 3, n);
            wantQuantized[r] = format.dot(seg, r * rowBytes, q, n);
        }
        float[] got = new float[rows + 1];
        for (int round = 0; round < 3000; round++) {
            int start = round % 4;
            int count = 1 + round % 16;
            format.dotRows(seg, start * rowBytes, rowBytes, count, x, 3, n, got, 1);
            assertRowBits(type + " float, round " + round, wantFloat, start, got, count);
            format.dotRows(seg, start * rowBytes, rowBytes, count, q, n, got, 1);
            assertRowBits(type + " quantized, round " + round, wantQuantized, start, got, count);
        }
    }

    /** got[1 + r] against want[start + r], bit for bit, for the count rows of one dotRows call. */
    private static void assertRowBits(String what, float[] want, int start, float[] got, int count) {
        for (int r = 0; r < count; r++) {
            if (Float.floatToRawIntBits(got[1 + r]) != Float.floatToRawIntBits(want[start + r])) {
                fail(what + ", row " + (start + r) + " of " + count + " from " + start + ": dot " + want[start + r]
                        + ", dotRows " + got[1 + r]);
            }
        }
    }

    @Test
    void halfConversionIsExactForEveryBitPattern() {
        byte[] bytes = new byte[2 * 65536];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int h = 0; h < 65536; h++) {
            b.putShort(2 * h, (short) h);
        }
        float[] got = new float[65536];
        WeightFormats.of(GGMLType.F16).dequantize(offHeap(bytes), 0, got, 0, 65536);
        for (int h = 0; h < 65536; h++) {
            float want = GgmlReference.half(h);
            int hh = h;
            if (Float.isNaN(want)) {
                assertTrue(Float.isNaN(got[h]), () -> "half 0x" + Integer.toHexString(hh));
            } else {
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[h]),
                        () -> "half 0x" + Integer.toHexString(hh) + ": want " + want + " got " + got[hh]);
            }
        }
    }

    /** The decode dot widens halves in registers: every finite half must come out exact (infinities and NaNs are documented not to). */
    @Test
    void halfDotWidensEveryFiniteHalfExactly() {
        byte[] bytes = new byte[2 * 65536];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int h = 0; h < 65536; h++) {
            b.putShort(2 * h, (short) ((h & 0x7C00) == 0x7C00 ? 0 : h));
        }
        MemorySegment seg = offHeap(bytes);
        WeightFormat f16 = WeightFormats.of(GGMLType.F16);
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = 1;
            for (int row = 0; row < 65536 / 32; row++) {
                int h = row * 32 + j;
                float want = (h & 0x7C00) == 0x7C00 ? 0 : GgmlReference.half(h);
                float got = f16.dot(seg, 2L * row * 32, x, 0, 32);
                assertEquals(want, got, 0f, () -> "half 0x" + Integer.toHexString(h));
            }
            x[j] = 0;
        }
    }

    private static void checkDot(String what, float got, float[] w, int wOff, float[] x, int xOff, int n) {
        double exact = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            double p = (double) w[wOff + i] * x[xOff + i];
            exact += p;
            magnitude += Math.abs(p);
        }
        double tol = 1e-5 * magnitude + 1e-30;
        if (Math.abs(got - exact) > tol) {
            fail(what + ": dot " + got + " vs " + exact + " (tolerance " + tol + ")");
        }
    }

    private static void assertBitsEqual(float[] want, int wOff, float[] got, int gOff, int n, String what) {
        for (int i = 0; i < n; i++) {
            int wb = Float.floatToRawIntBits(want[wOff + i]);
            int gb = Float.floatToRawIntBits(got[gOff + i]);
            if (wb != gb) {
                fail(what + ": element " + i + " is " + got[gOff + i] + ", ggml gives " + want[wOff + i]);
            }
        }
    }
}
