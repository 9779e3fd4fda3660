package io.github.tornadollava.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.tornadollava.GoldenCases;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.llama.GenerationResult;
import io.github.tornadollava.llama.Generator;
import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.llama.LlamaDecoder;
import io.github.tornadollava.llama.Segment;
import io.github.tornadollava.sampling.Sampler;
import io.github.tornadollava.sampling.SamplingParams;

/**
 * The device decoder on the golden checkpoints: the golden cases (first logits and greedy ids
 * against the NumPy reference), and the CPU decoder on the same file through the calls of a
 * chat. Building a decoder compiles some fifty kernels, so each file's decoder is built once and
 * shared by the tests; the f32 one prefills in device batches of 4 rows, so every prompt is cut
 * into several batches (one of a single row included), the q8_0 one in a single batch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TornadoDecoderTest {

    private static final int CONTEXT = 256;
    /** CPU and device compute in float with the same weights; only the summation order differs. */
    private static final float CPU_TOLERANCE = 1e-4f;
    private static final int[] PROMPT = {1, 450, 7483, 310, 3444, 338, 29871, 13};
    private static final int[] TURN = {319, 1799, 9047, 13, 2};

    private record Opened(GGUFFile file, TornadoDecoder device, LlamaDecoder cpu) {
    }

    private final Map<String, Opened> opened = new HashMap<>();

    private Opened model(String lm) {
        return opened.computeIfAbsent(lm, key -> {
            String file = TornadoTestSupport.json("index.json").get("models").get(key).get("file").asText();
            GGUFFile f = GGUFFile.open(TornadoTestSupport.golden(file));
            int maxBatch = switch (key) {
                case "lm-f32" -> 4;
                case "lm-q8_0" -> CONTEXT;
                default -> 16;
            };
            return new Opened(f, TornadoTestSupport.decoder(f, CONTEXT, maxBatch), TornadoTestSupport.cpuDecoder(f, CONTEXT));
        });
    }

    @AfterAll
    void close() {
        for (Opened o : opened.values()) {
            o.device().close();
            o.file().close();
        }
    }

    @ParameterizedTest
    @CsvSource({"lm-f32, capital", "lm-f32, mm-single", "lm-q8_0, capital", "lm-q8_0, mm-single"})
    void goldenCase(String lm, String caseName) {
        TornadoDecoder decoder = model(lm).device();
        JsonNode c = GoldenCases.find(caseName);
        JsonNode ref = c.get("results").get(lm + "/numpy");
        List<Segment> segments = GoldenCases.segments(c);
        int n = GoldenCases.positions(segments);
        double tolerance = GoldenCases.logitsTolerance(lm, false);
        String label = lm + " / " + caseName;

        decoder.truncate(0);
        float[] logits = decoder.forward(LanguageModel.hostRows(decoder, segments), n, 0).clone();
        float[] expected = TornadoTestSupport.npy(ref.get("logits0").asText());
        float diff = TornadoTestSupport.maxAbsDiff(expected, logits, expected.length);
        assertTrue(diff <= tolerance, label + ": logits0 max abs diff " + diff + " > " + tolerance);
        for (JsonNode e : ref.get("top5_step0")) {
            assertEquals(e.get(1).asDouble(), logits[e.get(0).asInt()], tolerance, label + ": logit of top-5 token " + e.get(0));
        }

        decoder.truncate(0);
        GenerationResult r = new Generator(decoder).generate(segments, new Sampler(SamplingParams.greedy(), decoder.config().vocabSize()),
                GoldenCases.N_PREDICT, new int[0], Generator.TokenListener.none());
        assertEquals(n, r.promptPositions());
        GoldenCases.assertGreedyIds(GoldenCases.ints(ref.get("generated_ids")), GoldenCases.doubles(ref.get("top2_gap")), r.generatedIds(), label);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lm-f32", "lm-q8_0", "lm-f16"})
    void chatCallsMatchTheCpuDecoder(String lm) {
        Opened m = model(lm);
        chat(lm, m.cpu(), m.device());
    }

    /**
     * The default split runs the tiny model's two layers in one graph of each kind; these splits
     * runs them in one graph per layer, so that state, weights and the output head are handed
     * along a chain of graphs as with larger models, and a decode step takes one graph run per
     * decode graph.
     */
    @Test
    void layersSplitOverSeveralGraphsMatchTheCpuDecoder() {
        Opened m = model("lm-q8_0");
        DecoderGraphs.Split split = new DecoderGraphs.Split(m.cpu().config().nLayers(), 1);
        assertEquals(2, split.graphs(), "the tiny model has two layers");
        DeviceProfile profile = new DeviceProfile();
        String label = "lm-q8_0 one layer per graph";
        try (TornadoDecoder device = TornadoTestSupport.decoder(m.file(), CONTEXT, 4, split, profile)) {
            chat(label, m.cpu(), device);
            profile.drain();
            step(label + " one more token", m.cpu(), device, rows(m.cpu(), 450), 1, m.cpu().position());
            assertEquals(split.graphs(), profile.executions(), label + ": graph runs per decoded token");
        }
    }

    /** A prompt, three generated tokens, a second turn and a rewind, each checked against the CPU. */
    private static void chat(String lm, LlamaDecoder cpu, TornadoDecoder device) {
        device.truncate(0);
        cpu.truncate(0);
        float[] logits = step(lm + " prefill", cpu, device, rows(cpu, PROMPT), PROMPT.length, 0);
        for (int i = 0; i < 3; i++) {
            int token = Sampler.argmax(logits, logits.length);
            logits = step(lm + " decode " + i, cpu, device, rows(cpu, token), 1, cpu.position());
        }
        // a new user turn after generating, then a rewind into the prompt
        step(lm + " second prefill", cpu, device, rows(cpu, TURN), TURN.length, cpu.position());
        device.truncate(5);
        cpu.truncate(5);
        step(lm + " decode after truncate", cpu, device, rows(cpu, 1799), 1, 5);
        assertEquals(6, device.position());
    }

    @Test
    void contextOverflowIsRefusedBeforeAnyWork() {
        Opened m = model("lm-f32");
        TornadoDecoder device = m.device();
        LlamaDecoder cpu = m.cpu();
        device.truncate(0);
        cpu.truncate(0);
        float[] six = rows(cpu, 1, 450, 7483, 310, 3444, 338);
        step("prefill", cpu, device, six, 6, 0);
        float[] deviceLogits = device.forward(six, 6, 0).clone();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> device.forward(new float[251 * cpu.config().dim()], 251, 6));
        assertTrue(e.getMessage().contains("context overflow"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> device.forward(six, 1, 7));
        assertThrows(IllegalArgumentException.class, () -> device.forward(six, 0, 6));
        assertThrows(IllegalArgumentException.class, () -> device.forward(new float[3], 1, 6));
        assertThrows(IllegalArgumentException.class, () -> device.embed(-1, six, 0));
        assertEquals(6, device.position(), "a refused call leaves the cache as it was");
        // the positions left still take rows, up to the last one, and give the CPU's logits
        int rest = CONTEXT - 6;
        int[] filler = new int[rest];
        for (int i = 0; i < rest; i++) {
            filler[i] = 100 + 37 * i;
        }
        step("fill to the end", cpu, device, rows(cpu, filler), rest, 6);
        assertEquals(CONTEXT, device.position());
        device.truncate(0);
        assertEquals(0f, TornadoTestSupport.maxAbsDiff(deviceLogits, device.forward(six, 6, 0), deviceLogits.length),
                "the same rows give the same logits, whatever the cache held past them");
    }

    /** Feeds the same rows to both decoders; returns the CPU's logits (a copy). */
    private static float[] step(String label, LanguageModel cpu, TornadoDecoder device, float[] rows, int n, int startPos) {
        float[] expected = cpu.forward(rows, n, startPos).clone();
        float[] actual = device.forward(rows, n, startPos);
        float diff = TornadoTestSupport.maxAbsDiff(expected, actual, expected.length);
        assertTrue(diff <= CPU_TOLERANCE, label + ": logits differ from the CPU decoder's by " + diff);
        assertEquals(cpu.position(), device.position(), label + ": position");
        return expected;
    }

    private static float[] rows(LanguageModel m, int... tokens) {
        int dim = m.config().dim();
        float[] rows = new float[tokens.length * dim];
        for (int i = 0; i < tokens.length; i++) {
            m.embed(tokens[i], rows, i * dim);
        }
        return rows;
    }
}
