package io.github.tornadollava.vision;

import java.nio.file.Path;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.tornadollava.Golden;
import io.github.tornadollava.gguf.GgufEditor;
import io.github.tornadollava.gguf.GGUFException;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.projector.ProjectorType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipConfigTest {

    @TempDir
    Path tmp;

    @Test
    void readsTheTinyMmproj() {
        try (GGUFFile f = GGUFFile.open(Golden.file("models/tiny-llava-mmproj-f32.gguf"))) {
            ClipConfig c = ClipConfig.from(f);
            assertEquals(56, c.imageSize());
            assertEquals(14, c.patchSize());
            assertEquals(64, c.embeddingLength());
            assertEquals(256, c.feedForwardLength());
            assertEquals(3, c.blockCount());
            assertEquals(4, c.headCount());
            assertEquals(16, c.headDim());
            assertEquals(1e-5f, c.layerNormEps(), 1e-12f);
            assertEquals(-1, c.featureLayer());
            assertEquals(3, c.blocksToRun(), "without feature_layer every stored block runs");
            assertEquals(16, c.patchCount());
            assertEquals(17, c.positionCount());
            assertEquals(ProjectorType.MLP, c.projectorType());
            assertFalse(c.useGelu());
            assertArrayEquals(new float[] {0.48145466f, 0.4578275f, 0.40821073f}, c.imageMean(), 1e-7f);
            assertArrayEquals(new float[] {0.26862954f, 0.26130258f, 0.27577711f}, c.imageStd(), 1e-7f);
        }
    }

    @Test
    void featureLayerSelectsHowManyBlocksRun() {
        assertEquals(2, config(g -> g.put("clip.vision.feature_layer", GgufEditor.intArray(2))).blocksToRun());
        assertEquals(0, config(g -> g.put("clip.vision.feature_layer", GgufEditor.intArray(0))).blocksToRun());
        assertEquals(3, config(g -> g.put("clip.vision.feature_layer", 3)).blocksToRun());
    }

    @Test
    void languageModelIsRejected() {
        Path lm = Golden.file("models/tiny-llava-lm-f32.gguf");
        try (GGUFFile f = GGUFFile.open(lm)) {
            GGUFException e = assertThrows(GGUFException.class, () -> ClipConfig.from(f));
            assertMessage(e, "tiny-llava-lm-f32.gguf", "general.architecture is 'llama'", "'clip'");
        }
    }

    @Test
    void unknownProjectorTypeIsRejected() {
        GGUFException e = assertThrows(GGUFException.class, () -> config(g -> g.put("clip.projector_type", "ldp")));
        assertMessage(e, "bad.gguf", "clip.projector_type='ldp'", "mlp", "linear");
    }

    @Test
    void missingProjectorTypeMeansMlpOnlyForOldLlavaFiles() {
        assertEquals(ProjectorType.MLP, config(g -> g.remove("clip.projector_type")).projectorType());
        GGUFException e = assertThrows(GGUFException.class,
                () -> config(g -> g.remove("clip.projector_type").remove("clip.has_llava_projector")));
        assertMessage(e, "bad.gguf", "clip.projector_type");
    }

    @Test
    void fileWithoutVisionEncoderIsRejected() {
        GGUFException e = assertThrows(GGUFException.class, () -> config(g -> g.put("clip.has_vision_encoder", false)));
        assertMessage(e, "bad.gguf", "no vision encoder");
    }

    @Test
    void featureLayerBeyondTheStoredBlocksIsRejected() {
        GGUFException e = assertThrows(GGUFException.class, () -> config(g -> g.put("clip.vision.feature_layer", GgufEditor.intArray(4))));
        assertMessage(e, "bad.gguf", "clip.vision.feature_layer", "4", "3 blocks");
        e = assertThrows(GGUFException.class, () -> config(g -> g.put("clip.vision.feature_layer", GgufEditor.intArray(1, 2))));
        assertMessage(e, "bad.gguf", "several layers");
    }

    @Test
    void inconsistentGeometryIsRejected() {
        GGUFException e = assertThrows(GGUFException.class, () -> config(g -> g.put("clip.vision.patch_size", 15)));
        assertMessage(e, "bad.gguf", "not a multiple of clip.vision.patch_size 15");
        e = assertThrows(GGUFException.class, () -> config(g -> g.put("clip.vision.attention.head_count", 5)));
        assertMessage(e, "bad.gguf", "head count 5");
        e = assertThrows(GGUFException.class, () -> config(g -> g.remove("clip.vision.block_count")));
        assertMessage(e, "bad.gguf", "clip.vision.block_count");
    }

    private ClipConfig config(Consumer<GgufEditor> edit) {
        GgufEditor g = GgufEditor.copyOf(Golden.file("models/tiny-llava-mmproj-f32.gguf"));
        edit.accept(g);
        try (GGUFFile f = GGUFFile.open(g.write(tmp.resolve("bad.gguf")))) {
            return ClipConfig.from(f);
        }
    }

    static void assertMessage(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
        }
    }
}
