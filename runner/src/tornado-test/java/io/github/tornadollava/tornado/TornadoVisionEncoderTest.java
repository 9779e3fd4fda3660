package io.github.tornadollava.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.vision.CpuVisionEncoder;

/**
 * The device ViT + projector against the golden image embeddings (HF semantics) and against the
 * CPU encoder on the same file, with TornadoVM's profiler on.
 */
class TornadoVisionEncoderTest {

    @ParameterizedTest
    @CsvSource({"mmproj-f32, f32_mmproj", "mmproj-f16, f16_mmproj"})
    void squareImageMatchesTheGoldenEmbeddings(String mmproj, String toleranceKey) {
        JsonNode index = TornadoTestSupport.json("index.json");
        JsonNode vision = null;
        for (JsonNode v : index.get("vision")) {
            if (v.get("mmproj").asText().equals("models/tiny-llava-" + mmproj + ".gguf") && v.get("image").asText().equals("square-56x56.png")
                    && v.get("mode").asText().equals("pad")) {
                vision = v;
            }
        }
        assertTrue(vision != null, "no golden square-56x56.png/pad case for " + mmproj);
        double tolerance = index.get("tolerances").get("vision").get(toleranceKey).get("embeddings_max_abs").asDouble();
        float[] pixels = TornadoTestSupport.npy(vision.get("pixels").asText());
        float[] expected = TornadoTestSupport.npy(vision.get("embeddings").asText());

        DeviceProfile profile = new DeviceProfile();
        try (GGUFFile file = GGUFFile.open(TornadoTestSupport.golden(vision.get("mmproj").asText()));
             TornadoVisionEncoder device = new TornadoVisionEncoder(file, TornadoTestSupport.device().handle(), TornadoTestSupport.sizes(), profile,
                     Backend.LoadListener.NONE);
             CpuVisionEncoder cpu = CpuVisionEncoder.of(file)) {
            assertEquals("TornadoVM profiler: no graph executed", profile.drain(), "loading (JIT, weight upload) is not profiled");
            List<Integer> progress = new ArrayList<>();
            float[] actual = device.encode(pixels, (done, total) -> progress.add(done));
            assertEquals(expected.length, actual.length);
            float diff = TornadoTestSupport.maxAbsDiff(expected, actual, expected.length);
            assertTrue(diff <= tolerance, mmproj + ": embeddings max abs diff " + diff + " > " + tolerance);
            float cpuDiff = TornadoTestSupport.maxAbsDiff(cpu.encode(pixels), actual, actual.length);
            assertTrue(cpuDiff <= 1e-5f, mmproj + ": device and CPU encoders differ by " + cpuDiff);

            int blocks = device.config().blocksToRun();
            assertEquals(IntStream.rangeClosed(1, blocks).boxed().toList(), progress, "progress after every block");
            String summary = profile.drain();
            assertTrue(summary.contains("over " + (blocks + 2) + " graph runs"), summary);
            assertThrows(IllegalArgumentException.class, () -> device.encode(new float[7]));
        }
    }
}
