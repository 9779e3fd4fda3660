package io.github.tornadollava.projector;

import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.tornadollava.Golden;
import io.github.tornadollava.gguf.GgufEditor;
import io.github.tornadollava.gguf.GGUFException;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.TensorLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProjectorTest {

    private static final String F32 = "models/tiny-llava-mmproj-f32.gguf";
    private static final String CASE = "cases/vision/mmproj-f32/pad-56x40.png/crop/";

    @TempDir
    Path tmp;

    /** The golden ViT output with its CLS row dropped: the projector's input, [16][64]. */
    private static float[] features() {
        float[] all = Golden.npy(CASE + "vision_last_block.npy").data();
        return Arrays.copyOfRange(all, 64, all.length);
    }

    @Test
    void mlpProjectorMatchesReference() {
        try (GGUFFile f = GGUFFile.open(Golden.file(F32))) {
            Projector p = Projector.load(f, ProjectorType.MLP, 64);
            assertEquals(64, p.inputDim());
            assertEquals(128, p.outputDim());
            float[] out = p.forward(features(), 16);
            double err = Golden.maxAbsDiff(out, Golden.npy(CASE + "embeddings.npy").data());
            assertTrue(err < 1e-4, "max abs diff " + err);
        }
    }

    @Test
    void linearProjectorIsOneAffineMap() {
        Path file = GgufEditor.copyOf(Golden.file(F32)).put("clip.projector_type", "linear")
                .removeTensor("mm.2.weight").removeTensor("mm.2.bias").write(tmp.resolve("linear.gguf"));
        try (GGUFFile f = GGUFFile.open(file)) {
            Projector p = Projector.load(f, ProjectorType.LINEAR, 64);
            assertEquals(128, p.outputDim());
            float[] x = features();
            float[] out = p.forward(x, 16);
            TensorLoader t = new TensorLoader(f);
            float[] w = t.vector("mm.0.weight", 64, 128);
            float[] b = t.vector("mm.0.bias", 128);
            double err = 0;
            for (int r = 0; r < 16; r++) {
                for (int o = 0; o < 128; o++) {
                    double acc = b[o];
                    for (int i = 0; i < 64; i++) {
                        acc += (double) w[o * 64 + i] * x[r * 64 + i];
                    }
                    err = Math.max(err, Math.abs(acc - out[r * 128 + o]));
                }
            }
            assertTrue(err < 1e-5, "max abs diff " + err);
        }
    }

    @Test
    void inputWidthMustMatchTheTower() {
        try (GGUFFile f = GGUFFile.open(Golden.file(F32))) {
            GGUFException e = assertThrows(GGUFException.class, () -> Projector.load(f, ProjectorType.MLP, 32));
            assertTrue(e.getMessage().contains("mm.0.weight") && e.getMessage().contains("[64, 128]"), e.getMessage());
        }
    }

    @Test
    void yiStyleProjectorIsRejected() {
        Path file = GgufEditor.copyOf(Golden.file(F32)).reshapeTensor("mm.3.weight", 128).write(tmp.resolve("yi.gguf"));
        try (GGUFFile f = GGUFFile.open(file)) {
            GGUFException e = assertThrows(GGUFException.class, () -> Projector.load(f, ProjectorType.MLP, 64));
            assertTrue(e.getMessage().contains("yi.gguf") && e.getMessage().contains("mm.3"), e.getMessage());
        }
    }

    @Test
    void wrongFeatureCountIsRejected() {
        try (GGUFFile f = GGUFFile.open(Golden.file(F32))) {
            Projector p = Projector.load(f, ProjectorType.MLP, 64);
            assertThrows(IllegalArgumentException.class, () -> p.forward(new float[15 * 64], 16));
        }
    }
}
