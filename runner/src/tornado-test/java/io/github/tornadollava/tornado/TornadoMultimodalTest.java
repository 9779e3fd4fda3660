package io.github.tornadollava.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.tornadollava.GoldenCases;
import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.engine.CpuBackend;
import io.github.tornadollava.engine.BackendSettings;
import io.github.tornadollava.engine.MultimodalModel;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.llama.GenerationResult;
import io.github.tornadollava.llama.Generator;
import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.llama.Segment;
import io.github.tornadollava.sampling.Sampler;
import io.github.tornadollava.sampling.SamplingParams;
import io.github.tornadollava.vision.ImageEmbeddings;
import io.github.tornadollava.vision.VisionEncoder;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The LM and the mmproj in one plan ({@link TornadoMultimodal}): image embeddings go from the
 * projector into the prefill on the device. The golden multimodal cases give the reference ids
 * from the pixels, with TornadoVM's profiler showing that nothing but logits came to the host;
 * consecutive calls with images (a chat) match the CPU backend. Prefill batches of 8 rows make
 * every image span two batches, next to text rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TornadoMultimodalTest {

    private static final int CONTEXT = 256;
    private static final int MAX_BATCH = 8;
    private static final String LM = "lm-f32";
    private static final String MMPROJ = "models/tiny-llava-mmproj-f32.gguf";

    private GGUFFile lmFile;
    private GGUFFile mmFile;
    private DeviceProfile profile;
    private MultimodalModel device;
    private MultimodalModel cpu;

    @BeforeAll
    void open() {
        lmFile = GGUFFile.open(TornadoTestSupport.golden(TornadoTestSupport.json("index.json").get("models").get(LM).get("file").asText()));
        mmFile = GGUFFile.open(TornadoTestSupport.golden(MMPROJ));
        profile = new DeviceProfile();
        device = TornadoMultimodal.load(lmFile, mmFile, CONTEXT, MAX_BATCH, TornadoTestSupport.device().handle(), TornadoTestSupport.sizes(),
                profile, Backend.LoadListener.NONE, "test device");
        cpu = new CpuBackend(BackendSettings.DEFAULTS).multimodal(lmFile, mmFile, CONTEXT, Backend.LoadListener.NONE);
    }

    @AfterAll
    void close() {
        if (device != null) {
            VisionEncoder vision = device.visionEncoder();
            device.close();
            device.close(); // a second close does nothing
            float[] pixels = new float[vision.config().pixelCount()];
            assertThrows(IllegalStateException.class, () -> vision.embed(pixels, VisionEncoder.ProgressListener.NONE),
                    "a closed plan refuses to run");
        }
        if (cpu != null) {
            cpu.close();
        }
        mmFile.close();
        lmFile.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mm-single", "mm-two-images"})
    void goldenCaseGivesTheReferenceIdsWithoutEmbeddingsOnTheHost(String name) {
        JsonNode c = GoldenCases.find(name);
        JsonNode ref = c.get("results").get(LM + "/numpy");
        LanguageModel lm = device.languageModel();
        lm.truncate(0);
        profile.drain();

        List<Segment> prompt = prompt(c, device.visionEncoder());
        int images = 0;
        for (Segment s : prompt) {
            if (s instanceof Segment.Image i) {
                assertInstanceOf(DeviceImageEmbeddings.class, i.embeddings(), name + ": embed leaves the rows on the device");
                images++;
            }
        }
        assertTrue(images >= 1);
        GenerationResult r = new Generator(lm).generate(prompt, new Sampler(SamplingParams.greedy(), lm.config().vocabSize()),
                GoldenCases.N_PREDICT, new int[0], Generator.TokenListener.none());

        assertEquals(c.get("n_prompt_positions").asInt(), r.promptPositions());
        GoldenCases.assertGreedyIds(GoldenCases.ints(ref.get("generated_ids")), GoldenCases.doubles(ref.get("top2_gap")), r.generatedIds(),
                name + " through the device handoff");
        // one logits graph run per forward pass, the prefill and each decode step, and those logits are all that came
        // down (TornadoVM copies an array with its header); an image's embeddings would add 16 x 128 floats each
        long logitsBytes = (1L + r.decodeSteps()) * new FloatArray(lm.config().vocabSize()).getNumBytesOfSegmentWithHeader();
        assertEquals(logitsBytes, profile.bytesOut(), name + ": bytes copied to the host while embedding " + images
                + " image(s) and generating (" + profile.executions() + " graph runs), logits only");
    }

    @Test
    void encodeStillBringsTheEmbeddingsToTheHost() {
        JsonNode index = TornadoTestSupport.json("index.json");
        double tolerance = index.get("tolerances").get("vision").get("f32_mmproj").get("embeddings_max_abs").asDouble();
        JsonNode single = GoldenCases.find("mm-single").get("segments").get(1);
        float[] pixels = TornadoTestSupport.npy(single.get("pixels").asText());
        float[] expected = TornadoTestSupport.npy(single.get("embeddings").asText());
        profile.drain();
        float[] actual = device.visionEncoder().encode(pixels);
        assertEquals(expected.length, actual.length);
        float diff = TornadoTestSupport.maxAbsDiff(expected, actual, expected.length);
        assertTrue(diff <= tolerance, "encode in the multimodal plan: max abs diff " + diff + " > " + tolerance);
        assertThrows(IllegalArgumentException.class, () -> device.visionEncoder().encode(new float[7]));
    }

    /** Two turns with an image each, continuing the cache, and a rewind: the same logits as the CPU backend. */
    @Test
    void chatTurnsWithImagesMatchTheCpuBackend() {
        JsonNode two = GoldenCases.find("mm-two-images").get("segments");
        float tolerance = (float) GoldenCases.logitsTolerance(LM, false);
        LanguageModel d = device.languageModel();
        LanguageModel h = cpu.languageModel();
        d.truncate(0);
        h.truncate(0);
        int[][] turns = {{1, 3148, 1001, 29901, 29871}, {13, 2, 3148, 1001, 29901}};
        for (int turn = 0; turn < 2; turn++) {
            float[] pixels = TornadoTestSupport.npy(two.get(1 + 2 * turn).get("pixels").asText());
            List<Segment> onDevice = List.of(Segment.Tokens.of(turns[turn]),
                    new Segment.Image(device.visionEncoder().embed(pixels, VisionEncoder.ProgressListener.NONE)), Segment.Tokens.of(13, 319));
            List<Segment> onHost = List.of(Segment.Tokens.of(turns[turn]),
                    new Segment.Image(cpu.visionEncoder().embed(pixels, VisionEncoder.ProgressListener.NONE)), Segment.Tokens.of(13, 319));
            assertInstanceOf(ImageEmbeddings.Host.class, ((Segment.Image) onHost.get(1)).embeddings());
            int start = h.position();
            float[] expected = h.forward(onHost, start).clone();
            float diff = TornadoTestSupport.maxAbsDiff(expected, d.forward(onDevice, start), expected.length);
            assertTrue(diff <= tolerance, "turn " + turn + ": logits differ from the CPU backend's by " + diff);
            assertEquals(h.position(), d.position());
            int token = Sampler.argmax(expected, expected.length);
            float[] row = new float[d.config().dim()];
            h.embed(token, row, 0);
            expected = h.forward(row, 1, h.position()).clone();
            diff = TornadoTestSupport.maxAbsDiff(expected, d.forward(row, 1, d.position()), expected.length);
            assertTrue(diff <= tolerance, "turn " + turn + " decode: logits differ from the CPU backend's by " + diff);
        }
    }

    @Test
    void embeddingsTheDecoderCannotReadAreRefusedBeforeAnyWork() {
        VisionEncoder vision = device.visionEncoder();
        LanguageModel lm = device.languageModel();
        float[] pixels = TornadoTestSupport.npy(GoldenCases.find("mm-single").get("segments").get(1).get("pixels").asText());
        ImageEmbeddings first = vision.embed(pixels, VisionEncoder.ProgressListener.NONE);
        List<Segment> prompt = List.of(Segment.Tokens.of(1), new Segment.Image(first));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cpu.languageModel().forward(prompt, 0));
        assertTrue(e.getMessage().contains("test device"), "the CPU decoder names where the rows are: " + e.getMessage());

        // as many images as fit the context stay on the device; one more reuses the first one's slot
        int slots = CONTEXT / vision.tokensPerImage();
        for (int i = 0; i < slots; i++) {
            vision.embed(pixels, VisionEncoder.ProgressListener.NONE);
        }
        lm.truncate(0);
        e = assertThrows(IllegalArgumentException.class, () -> lm.forward(prompt, 0));
        assertTrue(e.getMessage().contains("overwritten"), e.getMessage());
        assertEquals(0, lm.position(), "a refused call leaves the cache as it was");
    }

    /** The case's segments, each image embedded from its pixels by {@code vision}. */
    private static List<Segment> prompt(JsonNode c, VisionEncoder vision) {
        List<Segment> out = new ArrayList<>();
        for (JsonNode s : c.get("segments")) {
            if (s.get("type").asText().equals("tokens")) {
                out.add(new Segment.Tokens(GoldenCases.ints(s.get("ids"))));
            } else {
                assertEquals(MMPROJ, s.get("mmproj").asText(), "the case's image embeddings come from the f32 mmproj");
                float[] pixels = TornadoTestSupport.npy(s.get("pixels").asText());
                out.add(new Segment.Image(vision.embed(pixels, VisionEncoder.ProgressListener.NONE)));
            }
        }
        return out;
    }
}
