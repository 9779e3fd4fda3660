package io.github.tornadollava.runner;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import io.github.tornadollava.npy.Npy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The CLI end to end on the golden tiny checkpoints, as a user runs it. */
class CliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {
    }

    static Path golden(String rel) {
        Path dir = Path.of(System.getProperty("golden.dir", "../shared/golden")).toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(dir), "golden data not found at " + dir);
        return dir.resolve(rel);
    }

    static Run runWithInput(String stdin, String... args) {
        PrintStream oldOut = System.out;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            CommandLine cl = LlavaCli.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setIn(oldIn);
        }
    }

    static Run run(String... args) {
        return runWithInput("", args);
    }

    @Test
    void generateJsonReproducesTheGoldenGreedyIds() throws Exception {
        JsonNode c = JSON.readTree(golden("cases/text/capital/case.json").toFile());
        JsonNode ref = c.get("results").get("lm-f32/numpy");
        Run r = run("generate", "-m", golden("models/tiny-llava-lm-f32.gguf").toString(), "-p", c.get("prompt").asText(),
                "--template", "none", "--temperature", "0", "-n", "24", "--ignore-eos", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode o = JSON.readTree(r.out());
        for (int i = 0; i < c.get("prompt_ids").size(); i++) {
            assertEquals(c.get("prompt_ids").get(i).asInt(), o.get("prompt_tokens").get(i).asInt());
        }
        // exact up to and including the first near-tie step (README: greedy_ids rule)
        JsonNode gaps = ref.get("top2_gap");
        for (int i = 0; i < 24; i++) {
            assertEquals(ref.get("generated_ids").get(i).asInt(), o.get("tokens").get(i).asInt(), "step " + i);
            if (gaps.get(i).asDouble() < 1e-3) {
                break;
            }
        }
        assertEquals("max_tokens", o.get("stop_reason").asText());
        assertTrue(o.get("timings").has("predicted_per_second"));
    }

    @Test
    void generateStreamsAnAnswerAboutTwoImages() {
        Run r = run("generate", "-m", golden("models/tiny-llava-lm-f32.gguf").toString(),
                "--mmproj", golden("models/tiny-llava-mmproj-f32.gguf").toString(),
                "-i", golden("images/photo-200x150.jpg").toString(), "-i", golden("images/pad-56x40.png").toString(),
                "-p", "What is different?", "-n", "8", "--seed", "7", "--ignore-eos");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().strip().length() > 0, "some text was streamed");
    }

    @Test
    void encodeWritesTheGoldenEmbeddings(@TempDir Path dir) throws Exception {
        Path emb = dir.resolve("emb.npy");
        Path px = dir.resolve("px.npy");
        Run r = run("encode", "--mmproj", golden("models/tiny-llava-mmproj-f32.gguf").toString(),
                "-i", golden("images/photo-200x150.png").toString(), "--image-mode", "crop", "-o", emb.toString(),
                "--pixels-out", px.toString(), "-q");
        assertEquals(0, r.exit(), r.err());
        Npy.Array got = Npy.read(emb);
        Npy.Array want = Npy.read(golden("cases/vision/mmproj-f32/photo-200x150.png/crop/embeddings.npy"));
        assertEquals(want.shape()[0], got.shape()[0]);
        assertTrue(maxAbs(got.data(), want.data()) < 1e-4);
        Npy.Array pixels = Npy.read(px);
        assertTrue(maxAbs(pixels.data(), Npy.read(golden("cases/images/photo-200x150.png/crop/pixels.npy")).data()) < 1e-6);
    }

    @Test
    void chatKeepsTheConversationAndHandlesCommands() {
        String script = "/image " + golden("images/square-56x56.png") + "\nWhat is this?\n/image /no/such.png\nAnd now?\n/reset\nHello\n/quit\n";
        Run r = runWithInput(script, "chat", "-m", golden("models/tiny-llava-lm-f32.gguf").toString(),
                "--mmproj", golden("models/tiny-llava-mmproj-f32.gguf").toString(), "-n", "4", "--seed", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("attached"), r.out());
        assertTrue(r.out().contains("no such image"), r.out());
        assertTrue(r.out().contains("conversation reset"), r.out());
        assertEquals(3, r.out().split("ASSISTANT:", -1).length - 1, r.out());
    }

    @Test
    void tokenizeAndInfo() throws Exception {
        Run r = run("tokenize", "-m", golden("vocab/ggml-vocab-llama-spm.gguf").toString(), "Hello world", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode o = JSON.readTree(r.out());
        assertEquals(1, o.get("ids").get(0).asInt());
        assertEquals("▁Hello", o.get("pieces").get(1).asText());

        r = run("info", golden("models/tiny-llava-lm-q4_k_m.gguf").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("blk.0.ffn_down.weight") && r.out().contains("Q4_K"), r.out());
        assertTrue(r.out().contains("general.architecture"), r.out());
        assertTrue(r.out().contains("1 x Q4_K -> Q8_0") && r.out().contains("1 x Q6_K -> Q8_0"), r.out());
    }

    @Test
    void badInputGivesOneLineErrorsAndNonZeroExit(@TempDir Path dir) throws Exception {
        Path lm = golden("models/tiny-llava-lm-f32.gguf");
        Path junk = dir.resolve("junk.gguf");
        Files.write(junk, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
        assertError(run("generate", "-m", junk.toString(), "-p", "hi"), "junk.gguf", "truncated");
        assertError(run("generate", "-m", lm.toString(), "-p", "<image> hi"), "placeholder");
        assertError(run("generate", "-m", lm.toString(), "-p", "hi", "-i", golden("images/square-56x56.png").toString()), "mmproj");
        assertError(run("generate", "-m", lm.toString(), "-p", "a long prompt that does not fit", "-c", "4"), "context");
        Path badImage = dir.resolve("broken.png");
        Files.write(badImage, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        assertError(run("generate", "-m", lm.toString(), "--mmproj", golden("models/tiny-llava-mmproj-f32.gguf").toString(),
                "-i", badImage.toString(), "-p", "hi"), "broken.png");
        assertError(run("generate", "-m", golden("models/tiny-llava-mmproj-f32.gguf").toString(), "-p", "hi"), "tiny-llava-mmproj-f32.gguf");
        assertError(run("generate", "-m", lm.toString(), "-p", "hi", "--backend", "cuda"), "backend");
        assertError(run("generate", "-m", lm.toString(), "-p", "hi", "--template", "chatml"), "template");
        assertNotEquals(0, run("generate", "--no-such-option").exit());
    }

    @Test
    void benchReportsPromptAndGenerationSpeed() throws Exception {
        Run r = run("bench", "-m", golden("models/tiny-llava-lm-q8_0.gguf").toString(), "-p", "8", "-n", "4", "-r", "2",
                "--mmproj", golden("models/tiny-llava-mmproj-f16.gguf").toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode rows = JSON.readTree(r.out());
        assertEquals(3, rows.size());
        assertEquals("pp8", rows.get(0).get("test").asText());
        assertTrue(rows.get(1).get("tokens_per_second_mean").asDouble() > 0);
        assertTrue(rows.get(2).get("test").asText().startsWith("image"));
        // the rates beside tokens per second: GFLOP/s for prefill and the image, weight GB/s for decode
        assertTrue(rows.get(0).get("gflops_per_second_mean").asDouble() > 0);
        assertTrue(rows.get(1).get("weight_gb_per_second_mean").asDouble() > 0);
        assertTrue(rows.get(2).get("gflops_per_second_mean").asDouble() > 0);
        assertTrue(rows.get(0).get("peak_heap_used_bytes").asLong() > 0);
        if (Files.exists(Path.of("/proc/self/status"))) {
            assertTrue(rows.get(0).get("peak_rss_bytes").asLong() > 0, "VmHWM read from /proc/self/status");
        }
        assertError(run("bench", "-m", golden("models/tiny-llava-lm-q8_0.gguf").toString(), "-p", "8", "-n", "4", "-c", "5"), "--ctx-size");
    }

    /** {@code -d}: the runs start from a filled context, and the rows say at which depth. */
    @Test
    void benchAtDepth() throws Exception {
        String lm = golden("models/tiny-llava-lm-q8_0.gguf").toString();
        Run r = run("bench", "-m", lm, "-p", "8", "-n", "4", "-d", "40", "-r", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode rows = JSON.readTree(r.out());
        assertEquals("pp8 @ d40", rows.get(0).get("test").asText());
        assertEquals("tg4 @ d40", rows.get(1).get("test").asText());
        assertTrue(rows.get(1).get("tokens_per_second_mean").asDouble() > 0);
        // 40 + 8 positions, plus the one after them: a 48-position cache is one too few
        assertError(run("bench", "-m", lm, "-p", "8", "-n", "4", "-d", "40", "-c", "48"), "--ctx-size", "49");
        assertError(run("bench", "-m", lm, "-d", "-1"), "--n-depth");
    }

    private static void assertError(Run r, String... phrases) {
        assertNotEquals(0, r.exit(), "exit code; out=" + r.out());
        String line = r.err().strip();
        assertTrue(line.startsWith("error: "), line);
        assertEquals(1, line.lines().count(), "one line: " + line);
        for (String p : phrases) {
            assertTrue(line.contains(p), "'" + p + "' in: " + line);
        }
    }

    private static float maxAbs(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
