package io.github.tornadollava.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.tornadollava.Golden;
import io.github.tornadollava.npy.Npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Preprocessing against the golden pixels.npy (Pillow 9.4 + transformers, see the golden README).
 *
 * <p>Fed Pillow's own decoded pixels (rgb.npy), the preprocessor reproduces every pixels.npy to
 * max abs 0 (bit-identical), both modes, resized or not: Pillow's BICUBIC is copied exactly.
 * Decoded by {@link ImageLoader}, the PNGs give the same RGB bit for bit; so does the JPEG on
 * JDK 25, but JPEG decoders may legitimately differ (see {@link #jpegDecodedByImageIO}).
 */
class PixelsGoldenTest {

    /** The golden README's bound for exact Pillow BICUBIC; what is achieved is 0. */
    private static final float EXACT = 1e-6f;

    @TestFactory
    List<DynamicTest> preprocessedFromPillowDecodedPixels() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode entry : Golden.index().get("pixels")) {
            String image = entry.get("image").asText();
            ImageMode mode = ImageMode.valueOf(entry.get("mode").asText().toUpperCase(Locale.ROOT));
            tests.add(dynamicTest(image + " " + mode, () -> {
                Npy.Array rgb = Golden.npy("cases/images/" + image + "/rgb.npy");
                Npy.Array expected = Golden.npy(entry.get("pixels").asText());
                ImagePreprocessor pre = ImagePreprocessor.clip(expected.dim(1));
                float[] actual = pre.preprocessRgb(toBytes(rgb), rgb.dim(0), rgb.dim(1), mode);
                float err = Golden.maxAbsDiff(actual, expected.data());
                // achieved: 0.0 (bit-identical) for all 10 cases, resized or not
                assertTrue(err <= EXACT, image + " " + mode + ": max abs " + err + " > " + EXACT);
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> pngsDecodeLikePillow() {
        List<DynamicTest> tests = new ArrayList<>();
        Golden.index().get("images").properties().forEach(e -> {
            if (!e.getKey().endsWith(".png")) {
                return;
            }
            tests.add(dynamicTest(e.getKey(), () -> {
                JsonNode info = e.getValue();
                Npy.Array rgb = Golden.npy(info.get("decoded_rgb").asText());
                RgbImage decoded = RgbImage.of(ImageLoader.load(Golden.file(info.get("file").asText())));
                assertEquals(info.get("width").asInt(), decoded.width());
                assertEquals(info.get("height").asInt(), decoded.height());
                assertArrayEquals(toBytes(rgb), decoded.pixels(), e.getKey() + " differs from Pillow's decode");
            }));
        });
        return tests;
    }

    /**
     * ImageIO's JPEG decoder (the JDK's libjpeg 6b behind TwelveMonkeys) against Pillow 9.4's
     * libjpeg-turbo. Both use the slow-integer IDCT and "fancy" (triangular) chroma upsampling, and on
     * JDK 25 photo-200x150.jpg measures mean abs 0, max 0 levels, cosine 1 after preprocessing.
     * The golden README calls JPEG decoding decoder dependent, so the bounds stay loose: mean under
     * 2 levels, max 16, cosine of the preprocessed pixels above 0.999.
     */
    @TestFactory
    List<DynamicTest> jpegDecodedByImageIO() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode entry : Golden.index().get("pixels")) {
            String image = entry.get("image").asText();
            if (!image.endsWith(".jpg")) {
                continue;
            }
            ImageMode mode = ImageMode.valueOf(entry.get("mode").asText().toUpperCase(Locale.ROOT));
            tests.add(dynamicTest(image + " " + mode, () -> {
                JsonNode info = Golden.index().get("images").get(image);
                Npy.Array rgb = Golden.npy(info.get("decoded_rgb").asText());
                RgbImage decoded = RgbImage.of(ImageLoader.load(Golden.file(info.get("file").asText())));
                byte[] golden = toBytes(rgb);
                double sum = 0;
                int max = 0;
                for (int i = 0; i < golden.length; i++) {
                    int d = Math.abs((golden[i] & 0xFF) - (decoded.pixels()[i] & 0xFF));
                    sum += d;
                    max = Math.max(max, d);
                }
                double mean = sum / golden.length;
                assertTrue(mean < 2.0, image + " vs Pillow: mean abs " + mean + " levels (measured 0 on JDK 25)");
                assertTrue(max <= 16, image + " vs Pillow: max abs " + max + " levels (measured 0 on JDK 25)");

                Npy.Array expected = Golden.npy(entry.get("pixels").asText());
                float[] actual = ImagePreprocessor.clip(expected.dim(1)).preprocess(decoded.toBufferedImage(), mode);
                double cos = cosine(actual, expected.data());
                assertTrue(cos > 0.999, image + " " + mode + ": cosine " + cos + ", max abs " + Golden.maxAbsDiff(actual, expected.data()));
            }));
        }
        return tests;
    }

    static byte[] toBytes(Npy.Array rgb) {
        assertEquals(3, rgb.shape().length, "rgb.npy must be [H, W, 3]");
        assertEquals(3, rgb.dim(2));
        float[] d = rgb.data();
        byte[] out = new byte[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (byte) (int) d[i];
        }
        return out;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
