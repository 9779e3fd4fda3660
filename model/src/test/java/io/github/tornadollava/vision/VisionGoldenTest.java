package io.github.tornadollava.vision;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.tornadollava.Golden;
import io.github.tornadollava.gguf.GgufEditor;
import io.github.tornadollava.kernels.format.GGMLType;
import io.github.tornadollava.kernels.format.WeightFormats;
import io.github.tornadollava.npy.Npy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every "vision" case of the golden index: ViT stages and projector output vs the HF-semantics reference. */
class VisionGoldenTest {

    static Stream<Arguments> cases() {
        return cases("");
    }

    static Stream<Arguments> f16Cases() {
        return cases("mmproj-f16");
    }

    private static Stream<Arguments> cases(String mmprojContains) {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : Golden.index().get("vision")) {
            if (!c.get("mmproj").asText().contains(mmprojContains)) {
                continue;
            }
            String name = c.get("mmproj").asText().replaceAll(".*tiny-llava-", "").replace(".gguf", "")
                    + " " + c.get("image").asText() + " " + c.get("mode").asText();
            out.add(Arguments.of(name, c));
        }
        return out.stream();
    }

    /** Tolerances of index.json for one mmproj file: {stage tolerance, embeddings tolerance}. */
    private static double[] tolerances(String mmproj) {
        JsonNode v = Golden.index().get("tolerances").get("vision");
        if (mmproj.contains("f16")) {
            // Only the embeddings tolerance is given for f16; the stages are held to it too.
            double emb = v.get("f16_mmproj").get("embeddings_max_abs").asDouble();
            return new double[] {emb, emb};
        }
        // f32, and the legacy file, which must behave exactly like f32 once its FFN is swapped back.
        JsonNode f32 = v.get("f32_mmproj");
        return new double[] {Math.max(f32.get("vision_pre_ln_max_abs").asDouble(), f32.get("vision_block_max_abs").asDouble()),
                f32.get("embeddings_max_abs").asDouble()};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReference(String name, JsonNode c) {
        String mmproj = c.get("mmproj").asText();
        if (mmproj.contains("f16")) {
            assumeTrue(WeightFormats.isSupported(GGMLType.F16), "F16 weight format not available yet (branch formats)");
        }
        double[] tol = tolerances(mmproj);
        float[] pixels = Golden.npy(c.get("pixels").asText()).data();
        Map<String, float[]> stages = new HashMap<>();
        float[] embeddings;
        try (CpuVisionEncoder enc = CpuVisionEncoder.open(Golden.file(mmproj))) {
            embeddings = enc.encode(pixels, VisionEncoder.ProgressListener.NONE,
                    (stage, rows, n, width) -> stages.put(stage, Arrays.copyOf(rows, n * width)));
            String last = VisionTower.blockStage(enc.config().blocksToRun() - 1);
            double ePre = check(c, "vision_pre_ln", stages.get(VisionTower.STAGE_PRE_LN), tol[0]);
            double e0 = check(c, "vision_block0", stages.get(VisionTower.blockStage(0)), tol[0]);
            double eLast = check(c, "vision_last_block", stages.get(last), tol[0]);
            double eEmb = check(c, "embeddings", embeddings, tol[1]);
            System.out.printf("vision %-40s max abs: pre_ln %.2e  block0 %.2e  last_block %.2e  embeddings %.2e%n",
                    name, ePre, e0, eLast, eEmb);
        }
    }

    private static double check(JsonNode c, String key, float[] actual, double tol) {
        Npy.Array want = Golden.npy(c.get(key).asText());
        assertTrue(actual != null, key + " was not produced");
        assertEquals(want.data().length, actual.length, key + " size, expected shape " + Arrays.toString(want.shape()));
        double err = Golden.maxAbsDiff(actual, want.data());
        assertTrue(err <= tol, key + ": max abs diff " + err + " > " + tol);
        return err;
    }

    /**
     * The f16 cases with the file's F16 tensors widened to F32 here: the reference widens them the
     * same way and then does float math, so this holds the f16 cases to the f32 tolerance even
     * before an F16 weight format exists.
     */
    @ParameterizedTest(name = "{0} (F16 widened to F32)")
    @MethodSource("f16Cases")
    void f16ReferenceIsReproducedWithWidenedWeights(String name, JsonNode c, @TempDir Path tmp) {
        String mmproj = c.get("mmproj").asText();
        double[] tol = tolerances("f32");
        Path widened = GgufEditor.copyOf(Golden.file(mmproj)).widenF16().write(tmp.resolve("widened.gguf"));
        float[] pixels = Golden.npy(c.get("pixels").asText()).data();
        Map<String, float[]> stages = new HashMap<>();
        try (CpuVisionEncoder enc = CpuVisionEncoder.open(widened)) {
            float[] embeddings = enc.encode(pixels, VisionEncoder.ProgressListener.NONE,
                    (stage, rows, n, width) -> stages.put(stage, Arrays.copyOf(rows, n * width)));
            double ePre = check(c, "vision_pre_ln", stages.get(VisionTower.STAGE_PRE_LN), tol[0]);
            double e0 = check(c, "vision_block0", stages.get(VisionTower.blockStage(0)), tol[0]);
            double eLast = check(c, "vision_last_block", stages.get(VisionTower.blockStage(enc.config().blocksToRun() - 1)), tol[0]);
            double eEmb = check(c, "embeddings", embeddings, tol[1]);
            System.out.printf("vision %-40s max abs: pre_ln %.2e  block0 %.2e  last_block %.2e  embeddings %.2e (widened)%n",
                    name, ePre, e0, eLast, eEmb);
        }
    }

    @Test
    void legacyFileGivesTheSameEmbeddingsAsF32() {
        float[] pixels = Golden.npy("cases/images/square-56x56.png/pad/pixels.npy").data();
        try (CpuVisionEncoder f32 = CpuVisionEncoder.open(Golden.file("models/tiny-llava-mmproj-f32.gguf"));
             CpuVisionEncoder legacy = CpuVisionEncoder.open(Golden.file("models/tiny-llava-mmproj-f32-legacy.gguf"))) {
            // same weights, so the same values; not bit for bit, because the Vector API leaves the
            // order of a lane reduction to the JIT tier that happens to run it
            float[] a = f32.encode(pixels);
            float[] b = legacy.encode(pixels);
            assertEquals(a.length, b.length);
            float worst = Golden.maxAbsDiff(a, b);
            assertTrue(worst <= 1e-6f, "legacy vs f32 embeddings differ by " + worst);
        }
    }
}
