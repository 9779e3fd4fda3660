package io.github.tornadollava.llama;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import io.github.tornadollava.Golden;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.GGUFTensorInfo;
import io.github.tornadollava.kernels.format.WeightFormats;
import io.github.tornadollava.sampling.Sampler;
import io.github.tornadollava.sampling.SamplingParams;

import static io.github.tornadollava.GoldenCases.N_PREDICT;
import static io.github.tornadollava.GoldenCases.NEAR_TIE;
import static io.github.tornadollava.GoldenCases.NEAR_TIE_LLAMACPP;
import static io.github.tornadollava.GoldenCases.assertGreedyIds;
import static io.github.tornadollava.GoldenCases.doubles;
import static io.github.tornadollava.GoldenCases.ints;
import static io.github.tornadollava.GoldenCases.logitsTolerance;
import static io.github.tornadollava.GoldenCases.positions;
import static io.github.tornadollava.GoldenCases.segments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every text and multimodal golden case against every LM file: the first-step logits within the
 * index's tolerance of the reference, and 24 greedy ids equal to the reference's up to and
 * including its first near-tie step, after which divergence is allowed. With float activations
 * ({@code exactActivations}) the reference is NumPy's (near tie: top-2 gap < 1e-3); with the
 * default activations, quantized as llama.cpp does, quantized LM files are held to llama.cpp's
 * results (tolerance quantized_lm_llamacpp, near tie: gap < 0.1).
 */
class LlamaGoldenTest {

    static final int CONTEXT = 256;

    @TestFactory
    Stream<DynamicNode> goldenCases() {
        JsonNode index = Golden.index();
        List<DynamicNode> perModel = new ArrayList<>();
        index.get("models").properties().forEach(m -> {
            String lm = m.getKey();
            if (!lm.startsWith("lm-")) {
                return;
            }
            String modelFile = m.getValue().get("file").asText();
            perModel.add(DynamicContainer.dynamicContainer(lm + " float activations vs numpy",
                    cases(index, c -> checkCase(modelFile, lm, c, true))));
            if (isQuantized(lm)) {
                perModel.add(DynamicContainer.dynamicContainer(lm + " quantized activations vs llama.cpp",
                        cases(index, c -> checkCase(modelFile, lm, c, false))));
            }
        });
        return perModel.stream();
    }

    private static List<DynamicTest> cases(JsonNode index, java.util.function.Consumer<String> check) {
        List<DynamicTest> tests = new ArrayList<>();
        for (String kind : List.of("text_cases", "mm_cases")) {
            for (JsonNode c : index.get(kind)) {
                String casePath = c.get("case").asText();
                tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check.accept(casePath)));
            }
        }
        return tests;
    }

    static boolean isQuantized(String lm) {
        return !lm.equals("lm-f32") && !lm.equals("lm-f16");
    }

    static void checkCase(String modelFile, String lm, String casePath, boolean exactActivations) {
        Path model = Golden.file(modelFile);
        assumeSupported(model);
        JsonNode c = Golden.json(casePath);
        boolean llamacpp = !exactActivations && isQuantized(lm);
        JsonNode ref = c.get("results").get(lm + (llamacpp ? "/llama.cpp" : "/numpy"));
        List<Segment> segments = segments(c);
        float tolerance = (float) logitsTolerance(lm, llamacpp);
        String label = model.getFileName() + " / " + c.get("name").asText() + (llamacpp ? " vs llama.cpp" : "");

        try (LlamaDecoder decoder = LlamaDecoder.open(model, CONTEXT, exactActivations)) {
            assertEquals(llamacpp, decoder.quantizesActivations(), label + ": activations quantized");
            float[] logits = decoder.forward(LanguageModel.hostRows(decoder, segments), positions(segments), 0).clone();
            if (ref.has("logits0")) {
                float[] expected = Golden.npy(ref.get("logits0").asText()).data();
                float diff = Golden.maxAbsDiff(expected, logits);
                System.out.println(label + ": logits0 max abs diff " + diff);
                assertTrue(diff <= tolerance, label + ": logits0 max abs diff " + diff + " > " + tolerance);
            }
            // top5_step0 is recorded for every NumPy result, also those without a logits0 file
            // (llama.cpp's results have logits0 for some cases and greedy ids for all).
            for (JsonNode e : ref.has("top5_step0") ? ref.get("top5_step0") : JsonNodeFactory.instance.arrayNode()) {
                int id = e.get(0).asInt();
                double expected = e.get(1).asDouble();
                assertEquals(expected, logits[id], tolerance, label + ": logit of top-5 token " + id);
            }

            decoder.truncate(0);
            GenerationResult r = new Generator(decoder).generate(segments,
                    new Sampler(SamplingParams.greedy(), decoder.config().vocabSize()), N_PREDICT, new int[0],
                    Generator.TokenListener.none());
            assertEquals(positions(segments), r.promptPositions());
            assertGreedyIds(ints(ref.get("generated_ids")), doubles(ref.get("top2_gap")), r.generatedIds(),
                    llamacpp ? NEAR_TIE_LLAMACPP : NEAR_TIE, !llamacpp, label);
        }
    }

    /** Skips (does not fail) a model file with a tensor type the engine has no WeightFormat for yet. */
    static void assumeSupported(Path model) {
        try (GGUFFile f = GGUFFile.open(model)) {
            for (GGUFTensorInfo t : f.tensors()) {
                assumeTrue(WeightFormats.isSupported(t.type()),
                        model.getFileName() + ": tensor type " + t.type() + " (" + t.name() + ") not supported yet");
            }
        }
    }
}
