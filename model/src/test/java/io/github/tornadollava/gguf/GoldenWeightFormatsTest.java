package io.github.tornadollava.gguf;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.tornadollava.Golden;
import io.github.tornadollava.kernels.format.GGMLType;
import io.github.tornadollava.kernels.format.WeightFormats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Layout check on real llama-quantize output: every tensor of each golden LM file, dequantized
 * by our formats, must reproduce the F32 file's tensor within that type's quantization error.
 * A wrong nibble order, bit plane or scale packing gives errors as large as the weights
 * themselves, far outside these bounds.
 */
class GoldenWeightFormatsTest {

    /**
     * Worst-case error allowed, as a fraction of the tensor's largest |w|, and mean error as a
     * fraction of mean |w|: about 1.5x what llama-quantize's output shows (a misread layout
     * gives a mean error above 1).
     */
    private static final Map<GGMLType, double[]> BOUNDS = Map.of(
            GGMLType.Q8_0, new double[] {0.006, 0.008},
            GGMLType.Q6_K, new double[] {0.025, 0.025},
            GGMLType.Q5_0, new double[] {0.08, 0.06},
            GGMLType.Q4_0, new double[] {0.16, 0.12},
            GGMLType.Q4_K, new double[] {0.12, 0.10});

    private static GGUFFile reference;

    @BeforeAll
    static void openReference() {
        reference = GGUFFile.open(Golden.file("models/tiny-llava-lm-f32.gguf"));
    }

    @AfterAll
    static void closeReference() {
        if (reference != null) {
            reference.close();
        }
    }

    /** Rows checked per tensor: all of a small tensor, an even spread of a large one (every row has the same layout). */
    private static final int MAX_ROWS = 96;

    /** The sampled rows of {@code t}, decoded one after another. */
    private static float[] decodeRows(GGUFFile file, GGUFTensorInfo t) {
        int cols = Math.toIntExact(t.ne(0));
        long rows = t.elementCount() / cols;
        long step = Math.max(1, rows / MAX_ROWS);
        int n = (int) ((rows + step - 1) / step);
        long rowBytes = t.type().byteSize(cols);
        float[] out = new float[n * cols];
        for (int i = 0; i < n; i++) {
            WeightFormats.of(t.type()).dequantize(file.tensorData(t), i * step * rowBytes, out, i * cols, cols);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "q8_0", "q4_0", "q4_k_m", "q6_k"})
    void everyTensorMatchesTheF32Weights(String variant) {
        Path path = Golden.file("models/tiny-llava-lm-" + variant + ".gguf");
        try (GGUFFile file = GGUFFile.open(path)) {
            assertEquals(reference.tensors().size(), file.tensors().size());
            for (GGUFTensorInfo t : file.tensors()) {
                GGUFTensorInfo ref = reference.tensor(t.name());
                assertArrayEquals(ref.ne(), t.ne(), t.name());
                float[] want = decodeRows(reference, ref);
                float[] got = decodeRows(file, t);
                compare(variant + " " + t.name() + " (" + t.type() + ")", t.type(), want, got);
            }
        }
    }

    @Test
    void goldenFilesCoverTheQuantTypesOfRealModels() {
        Set<GGMLType> seen = EnumSet.noneOf(GGMLType.class);
        for (String v : new String[] {"f16", "q8_0", "q4_0", "q4_k_m", "q6_k"}) {
            try (GGUFFile file = GGUFFile.open(Golden.file("models/tiny-llava-lm-" + v + ".gguf"))) {
                file.tensors().forEach(t -> seen.add(t.type()));
            }
        }
        assertTrue(seen.containsAll(EnumSet.of(GGMLType.F16, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q5_0,
                GGMLType.Q4_K, GGMLType.Q6_K)), seen.toString());
    }

    private static void compare(String what, GGMLType type, float[] want, float[] got) {
        if (type == GGMLType.F32) {
            assertArrayEquals(want, got, what);
            return;
        }
        if (type == GGMLType.F16) {
            // the converter rounded each float to the nearest half: widening must give that half back exactly
            for (int i = 0; i < want.length; i++) {
                float rounded = Float.float16ToFloat(Float.floatToFloat16(want[i]));
                if (Float.floatToRawIntBits(rounded) != Float.floatToRawIntBits(got[i])) {
                    fail(what + ": element " + i + " is " + got[i] + ", F32 weight " + want[i] + " rounds to " + rounded);
                }
            }
            return;
        }
        double maxW = 0;
        double sumW = 0;
        double maxErr = 0;
        double sumErr = 0;
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs(got[i] - want[i]);
            maxErr = Math.max(maxErr, e);
            sumErr += e;
            maxW = Math.max(maxW, Math.abs(want[i]));
            sumW += Math.abs(want[i]);
        }
        double[] bound = BOUNDS.get(type);
        String stats = String.format("%s: max err %.3g = %.4f of max|w|, mean err %.3g = %.4f of mean|w|",
                what, maxErr, maxErr / maxW, sumErr / want.length, sumErr / sumW);
        assertTrue(bound != null, what + ": no error bound for " + type);
        assertTrue(maxErr <= bound[0] * maxW && sumErr <= bound[1] * sumW, stats);
    }
}
