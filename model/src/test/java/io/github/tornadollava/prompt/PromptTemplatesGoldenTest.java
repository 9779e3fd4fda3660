package io.github.tornadollava.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.tornadollava.Golden;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.tokenizer.Tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rendered prompts and their token segments of golden/cases/templates.json. */
class PromptTemplatesGoldenTest {

    private static GGUFFile vocab;
    private static PromptTokenizer prompts;

    @BeforeAll
    static void open() {
        vocab = GGUFFile.open(Golden.file("vocab/ggml-vocab-llama-spm.gguf"));
        prompts = new PromptTokenizer(Tokenizer.fromGGUF(vocab));
    }

    @AfterAll
    static void close() {
        if (vocab != null) {
            vocab.close();
        }
    }

    static Stream<JsonNode> cases() {
        List<JsonNode> out = new ArrayList<>();
        Golden.json("cases/templates.json").get("cases").forEach(out::add);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void renderAndTokenizeLikeTheReference(JsonNode c) {
        ChatTemplate t = ChatTemplate.fromId(c.get("template").asText());
        String rendered = t.render(c.get("prompt").asText(), c.get("n_images").asInt());
        assertEquals(c.get("rendered").asText(), rendered);

        List<PromptChunk> chunks = prompts.tokenize(rendered, true);
        JsonNode segs = c.get("segments");
        assertEquals(segs.size(), chunks.size(), "segment count");
        int image = 0;
        for (int i = 0; i < segs.size(); i++) {
            JsonNode s = segs.get(i);
            if (s.get("type").asText().equals("image")) {
                PromptChunk.Image img = assertInstanceOf(PromptChunk.Image.class, chunks.get(i));
                assertEquals(image++, img.index());
            } else {
                PromptChunk.Text txt = assertInstanceOf(PromptChunk.Text.class, chunks.get(i));
                int[] want = new int[s.get("ids").size()];
                for (int k = 0; k < want.length; k++) {
                    want[k] = s.get("ids").get(k).asInt();
                }
                assertArrayEquals(want, txt.ids(), "segment " + i + " '" + s.get("text").asText() + "'");
            }
        }
    }

    @Test
    void placeholderCountMustMatchTheImages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.LLAVA_15.render("<image> vs <image>", 1));
        assertTrue(e.getMessage().contains("2") && e.getMessage().contains("1 image"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromId("chatml"));
    }

    @Test
    void followUpTurnsHaveNoSystemLine() {
        assertEquals("USER: <image>\nAnd now? ASSISTANT:", ChatTemplate.LLAVA_15.renderFollowUp("And now?", 1));
        assertEquals("And now?", ChatTemplate.NONE.renderFollowUp("And now?", 0));
    }
}
