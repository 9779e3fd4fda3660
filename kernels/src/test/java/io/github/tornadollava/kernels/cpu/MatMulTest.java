package io.github.tornadollava.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.tornadollava.kernels.format.GGMLType;

/**
 * The blocked matmul against a double-precision reference. Shapes are chosen to hit every edge of
 * the blocking: token counts that are not a multiple of the token block (1, 3, 5, 577), row counts
 * that are not a multiple of the micro-kernel or the row tile, column counts that are not a multiple
 * of the vector length or of the column slice, and matrices with so few rows that tokens are split
 * between threads.
 */
class MatMulTest {

    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final int threadsBefore = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    @Test
    void matchesDoubleReferenceOnAwkwardShapes() {
        int[][] shapes = {
                // tokens, rows, cols
                {1, 7, 13}, {2, 1, 1}, {3, 5, 7}, {5, 67, 300}, {16, 64, 256}, {17, 65, 257},
                {33, 130, 513}, {577, 67, 300}, {577, 3, 40}, {40, 200, 1100},
                // short batches (at most 8 token blocks) slice 2048 columns at a time; 150 tokens is a long batch
                {20, 37, 4100}, {128, 18, 2300}, {150, 70, 600},
                // a long batch over more than one row tile of 128, the last one partial
                {150, 261, 600},
        };
        Random rnd = new Random(42);
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                check(rnd, s[0], s[1], s[2], "threads=" + threads);
            }
        }
    }

    @Test
    void randomShapes() {
        Random rnd = new Random(7);
        for (int i = 0; i < 25; i++) {
            check(rnd, 1 + rnd.nextInt(80), 1 + rnd.nextInt(150), 1 + rnd.nextInt(700), "random case " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void everyWeightFormat(GGMLType type) {
        // Column slices start at a byte offset inside each row: a multiple of the block size that is
        // not a multiple of the slice checks that the last, partial slice is decoded from the right place.
        Random rnd = new Random(type.id);
        int cols = type.blockSize == 1 ? 300 : type.blockSize == 32 ? 288 : 768;
        // 150 tokens: a long batch, whose panels are decoded a 256-column slice at a time
        for (int tokens : new int[] {3, 37, 150}) {
            WeightMatrix w = quantizedMatrix(rnd, type, 67, cols);
            check(w, randomFloats(rnd, tokens * cols), tokens, type.toString());
        }
    }

    @Test
    void leavesTheRestOfOutAlone() {
        Random rnd = new Random(3);
        int tokens = 19, rows = 70, cols = 33;
        WeightMatrix w = randomMatrix(rnd, rows, cols, 0);
        float[] x = randomFloats(rnd, tokens * cols + 100); // longer than needed: the tail is ignored
        float[] out = new float[tokens * rows + 50];
        java.util.Arrays.fill(out, Float.NaN);
        w.matmul(x, tokens, out);
        for (int i = 0; i < tokens * rows; i++) {
            assertTrue(Float.isFinite(out[i]), "out[" + i + "] not written");
        }
        for (int i = tokens * rows; i < out.length; i++) {
            assertTrue(Float.isNaN(out[i]), "out[" + i + "] written past the last token");
        }
    }

    @Test
    void biasAndAccumulateAreAppliedInTheWriteBack() {
        // Every tile of the write-back and the single-token path: out = base + (x W^T + bias).
        Random rnd = new Random(9);
        for (int tokens : new int[] {1, 3, 40}) {
            int rows = 70, cols = 33;
            WeightMatrix w = randomMatrix(rnd, rows, cols, 0);
            float[] x = randomFloats(rnd, tokens * cols);
            float[] bias = randomFloats(rnd, rows);
            float[] base = randomFloats(rnd, tokens * rows);
            float[] plain = new float[tokens * rows];
            w.matmul(x, tokens, plain);
            float[] withBias = new float[tokens * rows];
            w.matmul(x, tokens, withBias, bias);
            float[] added = base.clone();
            w.matmulAdd(x, tokens, added, bias);
            float[] addedNoBias = base.clone();
            w.matmulAdd(x, tokens, addedNoBias, null);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    int i = t * rows + r;
                    String at = tokens + " tokens, token " + t + " row " + r;
                    assertEquals(plain[i] + bias[r], withBias[i], 0f, at);
                    assertEquals(base[i] + (plain[i] + bias[r]), added[i], 0f, at);
                    assertEquals(base[i] + plain[i], addedNoBias[i], 0f, at);
                }
            }
        }
        WeightMatrix w = randomMatrix(rnd, 8, 16, 0);
        assertThrows(IllegalArgumentException.class, () -> w.matmul(new float[3 * 16], 3, new float[3 * 8], new float[7]));
    }

    @Test
    void rejectsArraysTooShortForTheTokenCount() {
        Random rnd = new Random(5);
        WeightMatrix w = randomMatrix(rnd, 8, 16, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> w.matmul(new float[3 * 16 - 1], 3, new float[3 * 8]));
        assertTrue(e.getMessage().startsWith("w:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.matmul(new float[3 * 16], 3, new float[3 * 8 - 1]));
    }

    @Test
    void zeroTokensIsANoOp() {
        WeightMatrix w = randomMatrix(new Random(1), 4, 4, 0);
        float[] out = {1, 2};
        w.matmul(new float[0], 0, out);
        assertEquals(1f, out[0]);
        assertEquals(2f, out[1]);
    }

    @Test
    void readsRowsFromAnOffsetSlice() {
        // A matrix in a GGUF file is a slice of the mapped file: the kernel must add its offsets, not assume 0.
        Random rnd = new Random(11);
        check(rnd, 9, 37, 300, 12345 * 4, "offset slice");
    }

    private static void check(Random rnd, int tokens, int rows, int cols, String what) {
        check(rnd, tokens, rows, cols, 0, what);
    }

    private static void check(Random rnd, int tokens, int rows, int cols, long sliceOffset, String what) {
        check(randomMatrix(rnd, rows, cols, sliceOffset), randomFloats(rnd, tokens * cols), tokens, what);
    }

    /** Compares with the double-precision product of the dequantized rows. */
    private static void check(WeightMatrix w, float[] x, int tokens, String what) {
        int rows = w.rows();
        int cols = w.cols();
        float[] out = new float[tokens * rows];
        w.matmul(x, tokens, out);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.dequantizeRow(r, row, 0);
            for (int t = 0; t < tokens; t++) {
                double sum = 0;
                double magnitude = 0;
                for (int k = 0; k < cols; k++) {
                    double p = (double) row[k] * x[t * cols + k];
                    sum += p;
                    magnitude += Math.abs(p);
                }
                // Relative to the sum of |terms|: float rounding scales with it, and the sum itself
                // can cancel to nearly zero.
                double err = Math.abs(out[t * rows + r] - sum);
                if (!(err <= 1e-5 * magnitude + 1e-30)) {
                    fail(what + ": " + tokens + "x" + rows + "x" + cols + " token " + t + " row " + r
                            + ": got " + out[t * rows + r] + ", expected " + sum + " (|terms| " + magnitude + ")");
                }
            }
        }
    }

    private static WeightMatrix randomMatrix(Random rnd, int rows, int cols, long sliceOffset) {
        MemorySegment file = Arena.ofAuto().allocate(sliceOffset + 4L * rows * cols + 64, 1);
        MemorySegment data = file.asSlice(sliceOffset, 4L * rows * cols);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.set(LE_FLOAT, 4 * i, (float) rnd.nextGaussian());
        }
        return new WeightMatrix("w", GGMLType.F32, data, rows, cols);
    }

    /** Random payload bits with small normal fp16 scales, so no block decodes to infinity or NaN. */
    private static WeightMatrix quantizedMatrix(Random rnd, GGMLType type, int rows, int cols) {
        long elements = (long) rows * cols;
        MemorySegment data = Arena.ofAuto().allocate(type.byteSize(elements), 64);
        for (long i = 0; i < data.byteSize(); i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt());
        }
        ValueLayout.OfShort half = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        int[] scaleFields = switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
        for (long i = 0; i < elements; i++) {
            switch (type) {
                case F16 -> data.set(half, 2 * i, Float.floatToFloat16((float) rnd.nextGaussian()));
                case BF16 -> data.set(half, 2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16));
                default -> { }
            }
        }
        for (long b = 0; b < elements / type.blockSize; b++) {
            for (int field : scaleFields) {
                data.set(half, b * type.typeSize + field, Float.floatToFloat16(0.001f + 0.05f * rnd.nextFloat()));
            }
        }
        return new WeightMatrix("w", type, data, rows, cols);
    }

    private static float[] randomFloats(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }
}
