package io.github.tornadollava.llama;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.tornadollava.Golden;
import io.github.tornadollava.gguf.GGUFException;
import io.github.tornadollava.gguf.GGUFFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LlamaConfigTest {

    @TempDir
    Path tmp;

    private LlamaConfig read(TinyGguf g) {
        try (GGUFFile f = GGUFFile.open(g.write(tmp.resolve("model.gguf")))) {
            return LlamaConfig.from(f);
        }
    }

    private void assertRejected(TinyGguf g, String... fragments) {
        Path file = g.write(tmp.resolve("bad.gguf"));
        GGUFException e = assertThrows(GGUFException.class, () -> {
            try (LlamaDecoder d = LlamaDecoder.open(file)) {
                d.position();
            }
        });
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing in: " + e.getMessage());
        }
    }

    @Test
    void readsGoldenModelMetadata() {
        try (GGUFFile f = GGUFFile.open(Golden.file("models/tiny-llava-lm-f32.gguf"))) {
            LlamaConfig c = LlamaConfig.from(f);
            assertEquals(new LlamaConfig(128, 2, 4, 2, 32, 256, 2048, 1e-5f, 10000f, 32, 1f, 32000), c);
            assertEquals(2, c.kvGroup());
            assertEquals(64, c.kvDim());
        }
    }

    @Test
    void defaultsFollowLlamaCpp() {
        SyntheticLlama m = new SyntheticLlama(1, 8, 1f);
        LlamaConfig c = read(m.gguf(false)
                .remove("llama.attention.head_count_kv")
                .remove("llama.rope.freq_base")
                .remove("llama.rope.dimension_count"));
        assertEquals(4, c.nKvHeads());
        assertEquals(10000f, c.ropeBase());
        assertEquals(8, c.ropeDim());
        assertEquals(1f, c.ropeScale());
    }

    @Test
    void linearRopeScaling() {
        assertEquals(4f, read(new SyntheticLlama(1, 8, 4f).gguf(false)).ropeScale());
        assertEquals(2f, read(new SyntheticLlama(1, 8, 1f).gguf(false).put("llama.rope.scale_linear", 2f)).ropeScale());
        assertEquals(1f, read(new SyntheticLlama(1, 8, 4f).gguf(false).put("llama.rope.scaling.type", "none")).ropeScale());
    }

    @Test
    void rejectsUnknownRopeScaling() {
        assertRejected(new SyntheticLlama(1, 8, 4f).gguf(false).put("llama.rope.scaling.type", "yarn"), "yarn");
    }

    @Test
    void rejectsOtherArchitectures() {
        Path mmproj = Golden.file("models/tiny-llava-mmproj-f32.gguf");
        GGUFException e = assertThrows(GGUFException.class, () -> LlamaDecoder.open(mmproj));
        assertTrue(e.getMessage().contains(mmproj.toString()) && e.getMessage().contains("'clip'"), e.getMessage());
    }

    @Test
    void rejectsInconsistentShapes() {
        SyntheticLlama m = new SyntheticLlama(1, 8, 1f);
        assertRejected(m.gguf(false).put("llama.attention.head_count", 5), "not a multiple of head_count 5");
        assertRejected(m.gguf(false).put("llama.attention.head_count_kv", 3), "head_count_kv 3");
        assertRejected(m.gguf(false).put("llama.rope.dimension_count", 9), "rope dimension 9");
        assertRejected(m.gguf(false).remove("llama.block_count"), "llama.block_count");
        assertRejected(m.gguf(false).put("llama.feed_forward_length", 96), "blk.0.ffn_gate.weight", "[32, 96]");
        assertRejected(m.gguf(false).removeTensor("output_norm.weight"), "missing tensor 'output_norm.weight'");
    }

    @Test
    void rejectsContextSizeBeyondTraining() {
        Path file = new SyntheticLlama(1, 8, 1f).gguf(false).write(tmp.resolve("m.gguf"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlamaDecoder.open(file, 33));
        assertTrue(e.getMessage().contains("33") && e.getMessage().contains("32"), e.getMessage());
    }
}
