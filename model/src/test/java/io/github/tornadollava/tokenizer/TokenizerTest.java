package io.github.tornadollava.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.tornadollava.Golden;
import io.github.tornadollava.gguf.GGUFException;
import io.github.tornadollava.gguf.GGUFFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding, streaming, speed and hostile input, on the LLaMA vocabulary and on hand-made ones. */
class TokenizerTest {

    private static GGUFFile file;
    private static Tokenizer tok;

    @BeforeAll
    static void load() {
        file = GGUFFile.open(Golden.file(TokenizerGoldenTest.VOCAB));
        tok = Tokenizer.fromGGUF(file);
    }

    @AfterAll
    static void close() {
        if (file != null) {
            file.close();
        }
    }

    @Test
    void vocabularyFacts() {
        assertEquals(32000, tok.vocabSize());
        assertEquals(1, tok.bos());
        assertEquals(2, tok.eos());
        assertEquals(0, tok.unk());
        assertEquals(-1, tok.pad());
        assertTrue(tok.addsBos());
        assertFalse(tok.addsEos());
        assertTrue(tok.isSpecial(1) && tok.isSpecial(2) && tok.isSpecial(0));
        assertFalse(tok.isSpecial(13) || tok.isSpecial(15043));
        assertEquals("▁Hello", tok.piece(15043));
        assertEquals("<0x0A>", tok.piece(13));
        assertEquals(TokenType.BYTE, tok.tokenType(13));
        assertArrayEquals(new byte[] {'\n'}, tok.pieceBytes(13, false));
        assertArrayEquals(" Hello".getBytes(StandardCharsets.UTF_8), tok.pieceBytes(15043, false));
        assertArrayEquals(new byte[0], tok.pieceBytes(2, false));
        assertArrayEquals("</s>".getBytes(StandardCharsets.UTF_8), tok.pieceBytes(2, true));
        assertThrows(IllegalArgumentException.class, () -> tok.piece(32000));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {-1}));
    }

    /** Without BOS the dummy-prefix space of the first piece is dropped, so decode inverts encode. */
    @Test
    void decodeRoundTripsEveryTestVector() throws IOException {
        for (TokenizerGoldenTest.Vector v : TokenizerGoldenTest.vectors()) {
            assertEquals(v.text(), tok.decode(tok.encode(v.text(), false, false)), TokenizerGoldenTest.label(v.text()));
            // and the reference ids decode the same way
            assertEquals(v.text(), tok.decode(v.ids()), TokenizerGoldenTest.label(v.text()));
        }
    }

    /** llama_detokenize keeps the space after a leading BOS, whether BOS is skipped or rendered. */
    @Test
    void decodeAfterBosFollowsLlamaCpp() {
        int[] ids = tok.encode("Hello world", true, false);
        assertArrayEquals(new int[] {1, 15043, 3186}, ids);
        assertEquals(" Hello world", tok.decode(ids));
        assertEquals(" Hello world", tok.decode(ids, true, false));
        assertEquals("<s> Hello world", tok.decode(ids, false, true));
        assertEquals(" Hello world</s>", tok.decode(new int[] {1, 15043, 3186, 2}, true, true)); // add_eos is off: EOS stays
        assertEquals("", tok.decode(new int[0]));
        assertEquals("", tok.decode(new int[] {1, 2}));
    }

    @Test
    void parseSpecialMatchesControlTokensAndPrefixesTheFollowingText() {
        // "<s>" becomes 1; "Hello" after it gets the dummy prefix again (▁Hello), as in llama.cpp
        assertArrayEquals(new int[] {1, 15043, 2, 3186}, tok.encode("<s>Hello</s>world", false, true));
        assertArrayEquals(new int[] {15043, 2, 29871, 13}, tok.encode("Hello</s>\n", false, true));
        assertArrayEquals(new int[] {}, tok.encode("", false, true));
        assertArrayEquals(new int[] {1}, tok.encode("", true, true));
    }

    @Test
    void streamingHoldsBackSplitCharacters() {
        String text = "🙂 日本語 Cửa Việt!";
        int[] ids = tok.encode(text, false, false);
        TokenDecoder d = tok.newDecoder();
        StringBuilder all = new StringBuilder();
        List<String> outputs = new ArrayList<>();
        for (int id : ids) {
            String s = d.push(id);
            assertFalse(s.contains("\uFFFD"), "a replacement character was emitted for " + id);
            outputs.add(s);
            all.append(s);
        }
        assertEquals("", d.flush());
        // streaming keeps the leading space (common_token_to_piece, no lstrip)
        assertEquals(" " + text, all.toString());
        // the emoji is four byte tokens: three pushes give nothing, the fourth the whole emoji
        assertArrayEquals(new int[] {29871, 243, 162, 156, 133}, java.util.Arrays.copyOf(ids, 5));
        assertEquals(List.of(" ", "", "", "", "🙂"), outputs.subList(0, 5));
        // 'ử' (E1 BB AD) is byte tokens too
        assertTrue(outputs.contains("ử"), outputs.toString());
    }

    @Test
    void streamingFirstGeneratedPieceKeepsItsSpace() {
        TokenDecoder d = tok.newDecoder();
        assertEquals(" Hello", d.push(15043));
        assertEquals(" world", d.push(3186));
        assertEquals("", d.push(2));
        assertEquals("</s>", new TokenDecoder(tok, true).push(2));
    }

    @Test
    void streamingReplacesBrokenUtf8() {
        TokenDecoder d = tok.newDecoder();
        assertEquals("", d.push(3 + 0xE2));              // lead byte of a 3-byte character
        assertEquals("\uFFFD Hello", d.push(15043));      // ... which never completes
        assertEquals("", d.push(3 + 0xF0));
        assertEquals("", d.push(3 + 0x9F));
        assertEquals("\uFFFD", d.flush());                // unfinished at the end
        assertEquals("", d.flush());
        assertEquals("\uFFFD", d.push(3 + 0x80));         // a stray continuation byte
    }

    /** A 4k-token prompt must tokenize in well under a second (the algorithm is O(n log n)). */
    @Test
    void longPromptsAreFast() {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 20_000) {
            sb.append("The quick brown fox jumps over the lazy dog, naïve café 日本語 🙂\n");
        }
        String text = sb.toString();
        String runs = "a".repeat(20_000) + " ".repeat(20_000) + "🙂".repeat(5_000);
        tok.encode(text, true, false); // warm-up
        long t0 = System.nanoTime();
        int[] ids = tok.encode(text, true, false);
        int[] runIds = tok.encode(runs, true, true);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(ids.length > 4000, "only " + ids.length + " tokens");
        assertEquals(text, tok.decode(ids, true, false).substring(1));
        assertEquals(runs, tok.decode(runIds, true, false).substring(1));
        assertTrue(seconds < 5, "took " + seconds + " s");
    }

    @Test
    void unpairedSurrogatesBecomeReplacementCharacters() {
        assertArrayEquals(tok.encode("a\uFFFDb", false, false), tok.encode("a\uD800b", false, false));
        assertArrayEquals(tok.encode("\uFFFD", false, false), tok.encode("\uDC00", false, false));
    }

    // ---------------------------------------------------------------- hand-made vocabularies

    private static final int N = 1, U = 2, C = 3, D = 4, B = 6; // llama.cpp token types

    private static Tokenizer vocab(Path dir, TinyGguf g) {
        try (GGUFFile f = GGUFFile.open(g.write(dir.resolve("v.gguf")))) {
            return Tokenizer.fromGGUF(f);
        }
    }

    private static TinyGguf small(float abScore, float bcScore) {
        String[] t = {"<unk>", "<s>", "</s>", "a", "b", "c", "ab", "bc", "▁", "<img>", "<0x62>"};
        float[] s = {0, 0, 0, -5, -5, -5, abScore, bcScore, -3, 0, 0};
        int[] ty = {U, C, C, N, N, N, N, N, N, D, B};
        return TinyGguf.llamaVocab(t, s, ty);
    }

    @Test
    void highestScoringPairMergesFirstAndTiesGoLeft(@TempDir Path dir) {
        Tokenizer higherRight = vocab(dir, small(-2, -1).put("tokenizer.ggml.add_space_prefix", false));
        assertArrayEquals(new int[] {3, 7}, higherRight.encode("abc", false, false)); // a + bc
        Tokenizer tie = vocab(dir, small(-1, -1).put("tokenizer.ggml.add_space_prefix", false));
        assertArrayEquals(new int[] {6, 5}, tie.encode("abc", false, false)); // ab + c
    }

    @Test
    void userDefinedTokensAreAlwaysMatchedAndMissingBytesFallBackToUnk(@TempDir Path dir) {
        Tokenizer t = vocab(dir, small(-1, -1));
        // "<img>" is user-defined: matched without parse_special; text after it gets the dummy prefix
        assertArrayEquals(new int[] {8, 3, 9, 8, 7}, t.encode("a<img>bc", false, false));
        // "<s>" is control: plain text unless parse_special; '<' 's' '>' have no tokens: byte fallback,
        // and with no <0x3C> etc. in this vocabulary that is <unk> (id 0) per byte
        assertArrayEquals(new int[] {8, 0, 0, 0}, t.encode("<s>", false, false));
        assertArrayEquals(new int[] {1}, t.encode("<s>", false, true));
        // "é" is two bytes, neither has a byte token
        assertArrayEquals(new int[] {8, 0, 0}, t.encode("é", false, false));
        // decoding shows the dummy prefix that the fragment after a special token received
        assertEquals("a<img> bc", t.decode(t.encode("a<img>bc", false, false)));
    }

    @Test
    void noTokenizerIsAClearError(@TempDir Path dir) {
        TinyGguf g = new TinyGguf().put("general.architecture", "clip").put("clip.has_vision_encoder", true);
        GGUFException e = assertThrows(GGUFException.class, () -> vocab(dir, g));
        assertTrue(e.getMessage().contains("v.gguf") && e.getMessage().contains("no tokenizer"), e.getMessage());

        TinyGguf noTokens = new TinyGguf().put("tokenizer.ggml.model", "llama");
        e = assertThrows(GGUFException.class, () -> vocab(dir, noTokens));
        assertTrue(e.getMessage().contains("tokenizer.ggml.tokens"), e.getMessage());
    }

    @Test
    void otherTokenizerModelsAreRejected(@TempDir Path dir) {
        TinyGguf g = small(-1, -1).put("tokenizer.ggml.model", "gpt2");
        GGUFException e = assertThrows(GGUFException.class, () -> vocab(dir, g));
        assertTrue(e.getMessage().contains("'gpt2'"), e.getMessage());
    }

    @Test
    void inconsistentArraysAreRejected(@TempDir Path dir) {
        assertMessage(dir, TinyGguf.llamaVocab(new String[] {"a", "b"}, new float[] {0}, new int[] {N, N}), "tokenizer.ggml.scores");
        assertMessage(dir, TinyGguf.llamaVocab(new String[] {"a", "b"}, new float[] {0, 0}, new int[] {N}), "tokenizer.ggml.token_type");
        assertMessage(dir, TinyGguf.llamaVocab(new String[] {"a", "a"}, new float[] {0, 0}, new int[] {N, N}), "appears twice");
        assertMessage(dir, TinyGguf.llamaVocab(new String[] {"a", "<0xZZ>"}, new float[] {0, 0}, new int[] {N, B}), "<0xNN>");
        assertMessage(dir, TinyGguf.llamaVocab(new String[] {}, new float[] {}, new int[] {}), "empty");
        assertMessage(dir, small(-1, -1).put("tokenizer.ggml.bos_token_id", 99), "bos_token_id");
        assertMessage(dir, small(-1, -1).put("tokenizer.ggml.tokens", "not an array"), "tokenizer.ggml.tokens");
    }

    private static void assertMessage(Path dir, TinyGguf g, String expected) {
        GGUFException e = assertThrows(GGUFException.class, () -> vocab(dir, g));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("v.gguf"), e.getMessage());
    }
}
