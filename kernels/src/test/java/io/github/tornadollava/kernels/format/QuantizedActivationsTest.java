package io.github.tornadollava.kernels.format;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Activations quantized to int8 blocks: the round trip stays within half a step, and every
 * format's quantized dot equals the float dot with the values it claims to use (the dequantized
 * activations for formats with an integer kernel, the original floats for the others).
 */
class QuantizedActivationsTest {

    private static final int N = 1024;

    @Test
    void roundTripWithinHalfAStep() {
        Random rnd = new Random(5);
        float[] x = new float[N + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * (i % 97 == 0 ? 30 : 1));
        }
        java.util.Arrays.fill(x, 3 + 64, 3 + 96, 0f); // an all-zero block gets scale 0, not NaN
        QuantizedActivations q = new QuantizedActivations(N);
        q.quantize(x, 3, N);
        for (int i = 0; i < N; i++) {
            float d = q.scale[i / QuantizedActivations.BLOCK];
            assertTrue(Math.abs(q.q[i]) <= 127, "value " + i);
            assertEquals(x[3 + i], q.q[i] * d, d / 2 * 1.0001f + 1e-30f, "value " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> q.quantize(x, 0, 33));
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void quantizedDotMatchesFloatDot(GGMLType type) {
        Random rnd = new Random(type.id * 7919L + 1);
        WeightFormat format = WeightFormats.of(type);
        byte[] bytes = WeightFormatsTest.randomData(type, 2 * N, rnd);
        MemorySegment seg = Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        QuantizedActivations q = new QuantizedActivations(N);
        for (int n : new int[] {N, N - 32 * 3, 32}) {
            if (n % type.blockSize != 0) {
                continue;
            }
            q.quantize(x, 0, n);
            float[] used = x;
            if (type == GGMLType.Q8_0) {
                used = new float[n];
                for (int i = 0; i < n; i++) {
                    used[i] = q.q[i] * q.scale[i / QuantizedActivations.BLOCK];
                }
            }
            long off = type.byteSize(type.blockSize); // a row that starts one block into the buffer
            float want = format.dot(seg, off, used, 0, n);
            float got = format.dot(seg, off, q, n);
            float[] w = new float[n];
            format.dequantize(seg, off, w, 0, n);
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                magnitude += Math.abs((double) w[i] * used[i]);
            }
            assertEquals(want, got, 1e-5 * magnitude, type + " n=" + n);
        }
    }
}
