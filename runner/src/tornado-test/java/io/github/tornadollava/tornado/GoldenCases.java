package io.github.tornadollava.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.llama.Segment;
import io.github.tornadollava.npy.Npy;

/**
 * Reading the golden text and multimodal cases (the rules of the golden README, as the CPU
 * decoder's golden test applies them): prompts as segments, and greedy ids that must match up to
 * and including the first near-tie step.
 */
final class GoldenCases {

    static final int N_PREDICT = 24;
    static final double NEAR_TIE = 1e-3;

    private GoldenCases() {
    }

    /** The case.json of the text or multimodal case called {@code name}. */
    static JsonNode find(String name) {
        JsonNode index = TornadoTestSupport.json("index.json");
        for (String kind : List.of("text_cases", "mm_cases")) {
            for (JsonNode c : index.get(kind)) {
                if (c.get("name").asText().equals(name)) {
                    return TornadoTestSupport.json(c.get("case").asText());
                }
            }
        }
        throw new AssertionError("no golden case " + name);
    }

    /** The logits0 tolerance of the index for an LM ("lm-f32", "lm-q8_0", ...) against the NumPy reference. */
    static double logitsTolerance(String lm) {
        JsonNode t = TornadoTestSupport.json("index.json").get("tolerances").get("logits0");
        String key = switch (lm) {
            case "lm-f32" -> "f32_lm";
            case "lm-f16" -> "f16_lm_numpy";
            default -> "quantized_lm_numpy";
        };
        return t.get(key).get("max_abs").asDouble();
    }

    static List<Segment> segments(JsonNode c) {
        List<Segment> out = new ArrayList<>();
        if (c.has("prompt_ids")) {
            out.add(new Segment.Tokens(ints(c.get("prompt_ids"))));
            return out;
        }
        for (JsonNode s : c.get("segments")) {
            switch (s.get("type").asText()) {
                case "tokens" -> out.add(new Segment.Tokens(ints(s.get("ids"))));
                case "image" -> {
                    Npy.Array e = TornadoTestSupport.npyArray(s.get("embeddings").asText());
                    out.add(new Segment.Embeddings(e.data(), e.dim(0)));
                }
                default -> throw new AssertionError("unknown segment type " + s.get("type"));
            }
        }
        return out;
    }

    static int positions(List<Segment> segments) {
        return segments.stream().mapToInt(Segment::length).sum();
    }

    /** The embedding rows of all segments, concatenated. */
    static float[] rows(LanguageModel m, List<Segment> segments) {
        int dim = m.config().dim();
        float[] rows = new float[positions(segments) * dim];
        int row = 0;
        for (Segment s : segments) {
            if (s instanceof Segment.Tokens t) {
                for (int id : t.ids()) {
                    m.embed(id, rows, row++ * dim);
                }
            } else if (s instanceof Segment.Embeddings e) {
                System.arraycopy(e.rows(), 0, rows, row * dim, e.rows().length);
                row += e.nRows();
            }
        }
        return rows;
    }

    /** Exact up to and including the first step whose reference top-2 gap is below {@link #NEAR_TIE}. */
    static void assertGreedyIds(int[] expected, double[] gaps, int[] actual, String label) {
        assertEquals(expected.length, actual.length, label + ": number of generated ids");
        int last = expected.length - 1;
        for (int i = 0; i < gaps.length; i++) {
            if (gaps[i] < NEAR_TIE) {
                last = i;
                break;
            }
        }
        for (int i = 0; i <= last; i++) {
            assertEquals(expected[i], actual[i], label + ": greedy id at step " + i + " (checked through step " + last
                    + ")\nexpected " + Arrays.toString(expected) + "\nactual   " + Arrays.toString(actual));
        }
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }
}
