package io.github.tornadollava.gguf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.tornadollava.Golden;
import io.github.tornadollava.kernels.format.GGMLType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every golden GGUF opens, with the counts, values and tensor types its README documents. */
class GoldenGGUFFilesTest {

    /** Tensor types are listed as type:count in ggml id order; blank where the README gives no counts. */
    @ParameterizedTest
    @CsvSource({
        "models/tiny-llava-lm-f32.gguf,       21, 24, F32:21",
        "models/tiny-llava-lm-f16.gguf,       21, 24, F32:5 F16:16",
        "models/tiny-llava-lm-q8_0.gguf,      21, 24, F32:5 Q8_0:16",
        "models/tiny-llava-lm-q4_0.gguf,      21, 25, F32:5 Q4_0:15 Q8_0:1",
        "models/tiny-llava-lm-q4_k_m.gguf,    21, 25, F32:5 Q5_0:12 Q8_0:2 Q4_K:1 Q6_K:1",
        "models/tiny-llava-lm-q6_k.gguf,      21, 25, F32:5 Q8_0:14 Q6_K:2",
        "models/tiny-llava-mmproj-f32.gguf,   57, 20, F32:57",
        "models/tiny-llava-mmproj-f16.gguf,   57, 20, ",
        "models/tiny-llava-mmproj-f32-legacy.gguf, 57, 20, F32:57",
        "vocab/ggml-vocab-llama-spm.gguf,      0, 22, ",
    })
    void opensWithTheDocumentedContents(String file, int tensors, int kvs, String types) throws IOException {
        Path path = Golden.file(file);
        try (GGUFFile f = GGUFFile.open(path)) {
            assertEquals(3, f.version());
            assertEquals(tensors, f.tensors().size());
            assertEquals(kvs, f.metadata().size());
            assertEquals(32, f.alignment());
            assertEquals(0, f.dataStart() % f.alignment());
            if (types != null) {
                Map<GGMLType, Integer> counts = new EnumMap<>(GGMLType.class);
                f.tensors().forEach(t -> counts.merge(t.type(), 1, Integer::sum));
                StringBuilder sb = new StringBuilder();
                counts.forEach((t, n) -> sb.append(sb.isEmpty() ? "" : " ").append(t).append(':').append(n));
                assertEquals(types.trim(), sb.toString(), "tensor types (in ggml id order)");
            }
            long end = 0;
            for (GGUFTensorInfo t : f.tensors()) {
                assertEquals(0, t.offset() % f.alignment(), t.name());
                assertEquals(t.type().byteSize(t.elementCount()), t.byteSize(), t.name());
                end = Math.max(end, f.dataStart() + t.offset() + t.byteSize());
            }
            assertTrue(end <= f.fileSize());
            assertEquals(Files.size(path), f.fileSize());
        }
    }

    @Test
    void languageModelMetadataAndTensors() {
        try (GGUFFile f = GGUFFile.open(Golden.file("models/tiny-llava-lm-q4_k_m.gguf"))) {
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(128, f.getInt("llama.embedding_length"));
            assertEquals(2, f.getInt("llama.block_count"));
            assertEquals(4, f.getInt("llama.attention.head_count"));
            assertEquals(2, f.getInt("llama.attention.head_count_kv"));
            assertEquals(256, f.getInt("llama.feed_forward_length"));
            assertEquals(1e-5f, f.getFloat("llama.attention.layer_norm_rms_epsilon"));
            assertEquals(10000f, f.getFloat("llama.rope.freq_base"));
            assertEquals(15, f.getInt("general.file_type"));
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            assertEquals(32000, tokens.length);
            assertArrayEquals(new String[] {"<unk>", "<s>", "</s>"}, Arrays.copyOf(tokens, 3));
            assertEquals(32000, f.getFloatArray("tokenizer.ggml.scores").length);
            assertEquals(32000, f.getIntArray("tokenizer.ggml.token_type").length);
            assertEquals(1, f.getInt("tokenizer.ggml.bos_token_id"));
            assertEquals(2, f.getInt("tokenizer.ggml.eos_token_id"));
            assertTrue(f.getBoolean("tokenizer.ggml.add_bos_token", false));
            assertFalse(f.getBoolean("tokenizer.ggml.add_eos_token", true));

            GGUFTensorInfo emb = f.tensor("token_embd.weight");
            assertArrayEquals(new long[] {128, 32000}, emb.ne());
            assertEquals(GGMLType.Q5_0, emb.type());
            GGUFTensorInfo down = f.tensor("blk.0.ffn_down.weight");
            assertArrayEquals(new long[] {256, 128}, down.ne());
            assertEquals(GGMLType.Q4_K, down.type());
            assertEquals(GGMLType.Q6_K, f.tensor("blk.1.ffn_down.weight").type());
            assertEquals(GGMLType.Q8_0, f.tensor("output.weight").type());
            assertEquals(GGMLType.F32, f.tensor("output_norm.weight").type());
        }
    }

    @Test
    void projectorMetadata() {
        try (GGUFFile f = GGUFFile.open(Golden.file("models/tiny-llava-mmproj-f16.gguf"))) {
            assertEquals("clip", f.getString("general.architecture"));
            assertEquals("mlp", f.getString("clip.projector_type"));
            assertEquals(56, f.getInt("clip.vision.image_size"));
            assertEquals(14, f.getInt("clip.vision.patch_size"));
            assertFalse(f.getBoolean("clip.use_gelu", true));
            assertArrayEquals(new float[] {0.48145467f, 0.4578275f, 0.40821072f}, f.getFloatArray("clip.vision.image_mean"));
            assertArrayEquals(new float[] {0.26862955f, 0.2613026f, 0.2757771f}, f.getFloatArray("clip.vision.image_std"));
            assertEquals(GGMLType.F16, f.tensor("v.patch_embd.weight").type());
        }
    }

    @Test
    void vocabularyOnlyFile() {
        try (GGUFFile f = GGUFFile.open(Golden.file("vocab/ggml-vocab-llama-spm.gguf"))) {
            assertTrue(f.tensors().isEmpty());
            assertEquals("llama", f.getString("tokenizer.ggml.model"));
            assertEquals(32000, f.getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(4096, f.getInt("llama.embedding_length"));
        }
    }
}
