package io.github.tornadollava.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.github.tornadollava.Golden;
import io.github.tornadollava.gguf.GGUFFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/** Exact agreement with llama.cpp's tokenizer on its own test vectors and on llama-tokenize outputs. */
class TokenizerGoldenTest {

    static final String VOCAB = "vocab/ggml-vocab-llama-spm.gguf";

    private static GGUFFile file;
    static Tokenizer tok;

    @BeforeAll
    static void load() {
        file = GGUFFile.open(Golden.file(VOCAB));
        tok = Tokenizer.fromGGUF(file);
    }

    @AfterAll
    static void close() {
        if (file != null) {
            file.close();
        }
    }

    /** The .inp/.out pairs, read as llama.cpp's tests/test-tokenizer-0.cpp reads them. */
    record Vector(String text, int[] ids) {
    }

    static List<Vector> vectors() throws IOException {
        String raw = Files.readString(Golden.file(VOCAB + ".inp"), StandardCharsets.UTF_8);
        List<String> outs = Files.readAllLines(Golden.file(VOCAB + ".out"), StandardCharsets.UTF_8);
        String sep = "\n__ggml_vocab_test__\n";
        List<String> texts = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(sep, pos);
            if (next < 0) {
                texts.add(raw.substring(pos));
                break;
            }
            texts.add(raw.substring(pos, next));
            pos = next + sep.length();
        }
        assertEquals(texts.size(), outs.size(), "inputs vs outputs");
        List<Vector> v = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String o = outs.get(i).strip();
            int[] ids = o.isEmpty() ? new int[0] : Arrays.stream(o.split(" ")).mapToInt(Integer::parseInt).toArray();
            v.add(new Vector(texts.get(i), ids));
        }
        return v;
    }

    @Test
    void allFortySixVectorsAreRead() throws IOException {
        assertEquals(46, vectors().size());
    }

    /** test-tokenizer-0 tokenizes with add_special = false, parse_special = false. */
    @TestFactory
    Stream<DynamicTest> llamaCppTestVectors() throws IOException {
        return vectors().stream().map(v -> dynamicTest(label(v.text()),
                () -> assertArrayEquals(v.ids(), tok.encode(v.text(), false, false), () -> label(v.text()))));
    }

    @TestFactory
    Stream<DynamicTest> llamaTokenizeCases() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Golden.json("vocab/tokenize.json").get("cases")) {
            String text = c.get("text").asText();
            boolean bos = c.get("add_bos").asBoolean(), special = c.get("parse_special").asBoolean();
            int[] expected = ids(c.get("ids"));
            tests.add(dynamicTest(label(text) + " bos=" + bos + " special=" + special,
                    () -> assertArrayEquals(expected, tok.encode(text, bos, special))));
        }
        assertEquals(30, tests.size());
        return tests.stream();
    }

    /** Rendered prompts tokenized chunk by chunk around the images: BOS only on the first chunk. */
    @TestFactory
    Stream<DynamicTest> templateSegments() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Golden.json("cases/templates.json").get("cases")) {
            boolean first = true;
            int k = 0;
            for (JsonNode s : c.get("segments")) {
                if (!s.get("type").asText().equals("tokens")) {
                    continue;
                }
                String text = s.get("text").asText();
                boolean bos = first;
                int[] expected = ids(s.get("ids"));
                tests.add(dynamicTest(c.get("name").asText() + " chunk " + k++,
                        () -> assertArrayEquals(expected, tok.encode(text, bos, false), () -> label(text))));
                first = false;
            }
        }
        return tests.stream();
    }

    static int[] ids(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asInt();
        }
        return r;
    }

    static String label(String text) {
        String t = text.replace("\n", "\\n").replace("\t", "\\t");
        return "'" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "'";
    }
}
