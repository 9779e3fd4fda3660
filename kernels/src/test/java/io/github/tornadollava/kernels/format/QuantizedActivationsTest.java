package io.github.tornadollava.kernels.format;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Activations quantized as llama.cpp does (bit for bit against {@link GgmlReference}'s
 * transcription of quantize_row_q8_0 / quantize_row_q8_K_ref), and every format's quantized dot
 * equal to its float dot with the dequantized activations of its {@link ActivationType}, also
 * at the extremes of the integer kernels' ranges.
 */
class QuantizedActivationsTest {

    private static final int N = 1024;

    /** Gaussian values with some outliers, an all-zero block and exact .5 ties after scaling. */
    private static float[] activations(int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * (i % 97 == 0 ? 30 : 1));
        }
        java.util.Arrays.fill(x, 64, 96, 0f); // an all-zero block gets scale 0, not NaN
        for (int j = 0; j < 32; j++) {
            x[128 + j] = j == 0 ? 127f : j + 0.5f - 16; // ties: round half to even, as _mm256_round_ps
        }
        return x;
    }

    /** The stateless row conversion the batched matmul uses gives the values quantize gives the float kernels, for every type. */
    @ParameterizedTest
    @EnumSource(ActivationType.class)
    void roundTripEqualsQuantizeThenCopy(ActivationType type) {
        float[] x = activations(N + 64, new Random(11));
        QuantizedActivations qa = new QuantizedActivations(N, true);
        qa.quantize(x, 64, N);
        float[] expected = java.util.Arrays.copyOfRange(qa.floats(type), qa.floatsOffset(type), qa.floatsOffset(type) + N);
        float[] actual = new float[N + 3];
        QuantizedActivations.roundTrip(type, x, 64, N, actual, 3);
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(actual, 3, N + 3), type.toString());
        assertThrows(IllegalArgumentException.class, () -> QuantizedActivations.roundTrip(type, x, 0, 33, actual, 0));
    }

    @Test
    void q8_0MatchesGgml() {
        float[] x = activations(N + 3, new Random(5));
        float[] shifted = java.util.Arrays.copyOfRange(x, 3, N + 3);
        QuantizedActivations q = new QuantizedActivations(N);
        q.quantize(x, 3, N);
        assertArrayEquals(GgmlReference.q8_0Activations(shifted, N), q.floats(ActivationType.Q8_0));
        for (int i = 0; i < N; i++) {
            float d = q.scale[i / QuantizedActivations.BLOCK];
            assertTrue(Math.abs(q.q[i]) <= 127, "value " + i);
            assertEquals(q.q[i] * d, q.dequantized[i], "value " + i);
            assertEquals(shifted[i], q.q[i] * d, d * 0.57f + 1e-30f, "value " + i); // half a step + the half's rounding
        }
        float[] ties = activations(N, new Random(5));
        q.quantize(ties, 0, N);
        assertEquals(-8, q.q[128 + 8]);  // -7.5 * 127/127 -> -8 (even)
        assertEquals(-6, q.q[128 + 9]);  // -6.5 -> -6
        assertThrows(IllegalArgumentException.class, () -> q.quantize(ties, 0, 33));
    }

    @Test
    void q8_KMatchesGgml() {
        float[] x = activations(N, new Random(6));
        QuantizedActivations q = new QuantizedActivations(N, true);
        q.quantize(x, 0, N);
        assertArrayEquals(GgmlReference.q8_KActivations(x, N), q.floats(ActivationType.Q8_K));
        // the signed value of the largest magnitude decides the sign of the scale: its first
        // occurrence when a magnitude ties; and a block of zeros
        float[] edge = x.clone();
        java.util.Arrays.fill(edge, 0, QuantizedActivations.K_BLOCK, 0.25f);
        edge[5] = -3f;
        edge[9] = 3f;
        java.util.Arrays.fill(edge, QuantizedActivations.K_BLOCK, 2 * QuantizedActivations.K_BLOCK, 0f);
        q.quantize(edge, 0, N);
        assertArrayEquals(GgmlReference.q8_KActivations(edge, N), q.floats(ActivationType.Q8_K));
        assertEquals(127, -q.kq[5]);
        for (int i = 0; i < N; i++) {
            assertEquals(q.kq[i] * q.kScale[i / QuantizedActivations.K_BLOCK], q.kDequantized[i], "value " + i);
        }
        for (int s = 0; s < N / QuantizedActivations.BLOCK; s++) {
            int sum = 0;
            for (int j = 0; j < QuantizedActivations.BLOCK; j++) {
                sum += q.kq[s * QuantizedActivations.BLOCK + j];
            }
            assertEquals(sum, q.kSums[s], "sum " + s);
        }
        q.quantize(x, 0, N - 32); // not whole K-blocks: K-quant rows cannot be this long, floats are used
        assertEquals(x, q.floats(ActivationType.Q8_K));
        QuantizedActivations withoutK = new QuantizedActivations(N);
        withoutK.quantize(x, 0, N);
        assertEquals(x, withoutK.floats(ActivationType.Q8_K));
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void quantizedDotMatchesFloatDot(GGMLType type) {
        Random rnd = new Random(type.id * 7919L + 1);
        WeightFormat format = WeightFormats.of(type);
        int rows = 5;
        byte[] bytes = WeightFormatsTest.randomData(type, rows * N + type.blockSize, rnd);
        MemorySegment seg = Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        QuantizedActivations q = new QuantizedActivations(N, true);
        for (int n : new int[] {N, N - 32 * 3, 32}) {
            if (n % type.blockSize != 0) {
                continue;
            }
            q.quantize(x, 0, n);
            float[] used = switch (format.activationType()) {
                case FLOAT -> x;
                case Q8_0 -> GgmlReference.q8_0Activations(x, n);
                case Q8_K -> GgmlReference.q8_KActivations(x, n);
            };
            long rowBytes = type.byteSize(n);
            long off = type.byteSize(type.blockSize); // rows that start one block into the buffer
            for (int r = 0; r < rows; r++) {
                long at = off + r * rowBytes;
                float want = format.dot(seg, at, used, 0, n);
                float got = format.dot(seg, at, q, n);
                float[] w = new float[n];
                format.dequantize(seg, at, w, 0, n);
                double magnitude = 0;
                for (int i = 0; i < n; i++) {
                    magnitude += Math.abs((double) w[i] * used[i]);
                }
                assertEquals(want, got, 1e-5 * magnitude, type + " n=" + n + " row " + r);
            }
        }
    }

    /**
     * The integer kernels at the extremes of their ranges (every weight and scale at its largest
     * magnitude, activations all at +-127) still equal the float dot: no 16-bit product sum wraps.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void integerKernelsDoNotOverflowAtExtremes(GGMLType type) {
        WeightFormat format = WeightFormats.of(type);
        int n = 512;
        int blocks = n / type.blockSize;
        int blockBytes = (int) type.byteSize(type.blockSize);
        // where each block keeps its half-precision scale(s), set to 1.0 so the bytes around them can be anything
        int[] halves = switch (type) {
            case Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> new int[] {0};
        };
        float[] ones = new float[n];
        float[] alternating = new float[n];
        for (int i = 0; i < n; i++) {
            ones[i] = 1f;
            alternating[i] = i % 2 == 0 ? 1f : -1f;
        }
        QuantizedActivations q = new QuantizedActivations(n, true);
        for (int fill : new int[] {0x00, 0xFF, 0x80, 0x7F}) {
            MemorySegment seg = Arena.ofAuto().allocate((long) blocks * blockBytes, 64);
            seg.fill((byte) fill);
            for (int b = 0; b < blocks; b++) {
                for (int h : halves) {
                    seg.set(Blocks.LE_SHORT, (long) b * blockBytes + h, Float.floatToFloat16(1f));
                }
            }
            for (float[] x : new float[][] {ones, alternating}) {
                q.quantize(x, 0, n);
                float[] used = format.activationType() == ActivationType.Q8_0
                        ? GgmlReference.q8_0Activations(x, n) : GgmlReference.q8_KActivations(x, n);
                float want = format.dot(seg, 0, used, 0, n);
                float got = format.dot(seg, 0, q, n);
                float[] w = new float[n];
                format.dequantize(seg, 0, w, 0, n);
                double magnitude = 0;
                for (int i = 0; i < n; i++) {
                    magnitude += Math.abs((double) w[i] * used[i]);
                }
                assertEquals(want, got, 1e-5 * magnitude + 1e-6,
                        type + " bytes 0x" + Integer.toHexString(fill) + (x == ones ? " ones" : " alternating"));
            }
        }
    }
}
