package io.github.tornadollava.llama;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.kernels.cpu.KVCache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoder against a naive float64 forward pass on random models with partial/scaled RoPE and a tied head. */
class SyntheticLlamaTest {

    private static final int[] TOKENS = {1, 7, 3, 39, 0, 12, 12, 25, 8, 31, 2, 17};

    @TempDir
    Path tmp;

    /** Prefill of the first `split` tokens in batches of `maxBatch`, then one token at a time; every step vs the reference. */
    private void check(SyntheticLlama m, boolean tied, int split, int maxBatch) {
        check(m, TOKENS, tied, split, maxBatch);
    }

    private void check(SyntheticLlama m, int[] TOKENS, boolean tied, int split, int maxBatch) {
        double[][] expected = m.referenceLogits(TOKENS, tied);
        GGUFFile file = GGUFFile.open(m.gguf(tied).write(tmp.resolve("m.gguf")));
        LlamaConfig c = LlamaConfig.from(file);
        try (LlamaDecoder d = new LlamaDecoder(c, LlamaWeights.load(file, c), c.contextLength(), maxBatch, file)) {
            assertEquals(tied, d.weights().tied());
            float[] rows = new float[TOKENS.length * c.dim()];
            for (int i = 0; i < TOKENS.length; i++) {
                d.embed(TOKENS[i], rows, i * c.dim());
            }
            assertClose(expected[split - 1], d.forward(rows, split, 0), "prefill of " + split);
            for (int p = split; p < TOKENS.length; p++) {
                float[] row = java.util.Arrays.copyOfRange(rows, p * c.dim(), (p + 1) * c.dim());
                assertClose(expected[p], d.forward(row, 1, p), "decode at position " + p);
            }
            assertEquals(TOKENS.length, d.position());
        }
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(max < 1e-4, what + ": max abs diff " + max);
    }

    @Test
    void fullRope() {
        check(new SyntheticLlama(11, 8, 1f), false, 5, 512);
    }

    @Test
    void partialRopeWithLinearScaling() {
        check(new SyntheticLlama(12, 4, 2.5f), false, 7, 512);
    }

    @Test
    void tiedOutputHead() {
        check(new SyntheticLlama(13, 8, 1f), true, 4, 512);
    }

    @Test
    void prefillInSmallBatches() {
        check(new SyntheticLlama(14, 8, 1f), false, 11, 3);
    }

    /** Positions past the KV cache's first lazily allocated chunks, reached by batched prefill and by decode. */
    @Test
    void contextAcrossKvCacheChunks() {
        int[] tokens = new int[2 * KVCache.CHUNK + 20];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(40);
        }
        check(new SyntheticLlama(16, 8, 1f, 1024), tokens, false, KVCache.CHUNK + 10, 100);
    }

    @Test
    void tiedHeadIsTheEmbeddingMatrixNotACopy() {
        SyntheticLlama m = new SyntheticLlama(15, 8, 1f);
        try (LlamaDecoder tied = LlamaDecoder.open(m.gguf(true).write(tmp.resolve("t.gguf")));
             LlamaDecoder untied = LlamaDecoder.open(m.gguf(false).write(tmp.resolve("u.gguf")))) {
            assertTrue(tied.weights().output() == tied.weights().tokenEmbedding());
            assertFalse(untied.weights().tied());
            float[] row = new float[m.dim];
            tied.embed(5, row, 0);
            float[] a = tied.forward(row, 1, 0).clone();
            // Same embeddings fed to the untied model whose head differs: logits must differ.
            assertFalse(java.util.Arrays.equals(a, untied.forward(row, 1, 0)));
            tied.truncate(0);
            assertArrayEquals(a, tied.forward(row, 1, 0));
        }
    }

    /**
     * The logits of a first, cold forward pass (kernels interpreted or in C1) against those of the
     * same pass after a few hundred more (kernels compiled by C2), bit for bit: a kernel whose float
     * results depend on the JIT tier (the Vector API's reduceLanes(ADD) or lanewise(EXP)) makes the
     * same prompt answer differently on its first run.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void logitsDoNotDependOnTheJitTier(boolean q8) {
        SyntheticLlama m = new SyntheticLlama(18, 8, 1f);
        java.util.Set<String> quantized = new java.util.HashSet<>();
        if (q8) { // Q8_0 matrices: the default int8-activation path of quantized models
            for (int l = 0; l < m.nLayers; l++) {
                quantized.addAll(java.util.List.of("blk." + l + ".attn_q.weight", "blk." + l + ".attn_v.weight",
                        "blk." + l + ".ffn_gate.weight", "blk." + l + ".ffn_down.weight"));
            }
        }
        try (LlamaDecoder d = LlamaDecoder.open(m.gguf(false, quantized).write(tmp.resolve("jit-" + q8 + ".gguf")))) {
            assertEquals(q8, d.quantizesActivations());
            float[] rows = new float[TOKENS.length * m.dim];
            for (int i = 0; i < TOKENS.length; i++) {
                d.embed(TOKENS[i], rows, i * m.dim);
            }
            float[][] cold = run(d, rows);
            for (int round = 0; round < 400; round++) {
                float[][] again = run(d, rows);
                for (int step = 0; step < cold.length; step++) {
                    if (!java.util.Arrays.equals(cold[step], again[step])) {
                        throw new AssertionError("logits of step " + step + " changed at rerun " + round + ": "
                                + firstDifference(cold[step], again[step]));
                    }
                }
            }
        }
    }

    /** A batched prefill of half the tokens, then the rest decoded one by one: the logits of every step. */
    private static float[][] run(LlamaDecoder d, float[] rows) {
        int dim = rows.length / TOKENS.length;
        int split = TOKENS.length / 2;
        d.truncate(0);
        float[][] logits = new float[TOKENS.length - split + 1][];
        logits[0] = d.forward(java.util.Arrays.copyOf(rows, split * dim), split, 0).clone();
        for (int p = split; p < TOKENS.length; p++) {
            logits[p - split + 1] = d.forward(java.util.Arrays.copyOfRange(rows, p * dim, (p + 1) * dim), 1, p).clone();
        }
        return logits;
    }

    private static String firstDifference(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return "index " + i + ": " + a[i] + " then " + b[i];
            }
        }
        return "none";
    }

    /**
     * A file mixing float and Q8_0 matrices where consecutive matmuls share an input (q then k and
     * v, gate then up) and the first of each pair stays float: a batched prefill must quantize the
     * input of every Q8_0 matmul from that matmul's own input, so its logits equal those of
     * decoding the same tokens one at a time (which quantizes per matvec).
     */
    @Test
    void mixedFormatsPrefillMatchesDecode() {
        SyntheticLlama m = new SyntheticLlama(17, 8, 1f);
        java.util.Set<String> q8 = new java.util.HashSet<>();
        for (int l = 0; l < m.nLayers; l++) {
            q8.addAll(java.util.List.of("blk." + l + ".attn_k.weight", "blk." + l + ".attn_v.weight", "blk." + l + ".ffn_up.weight"));
        }
        Path file = m.gguf(false, q8).write(tmp.resolve("mixed.gguf"));
        try (LlamaDecoder batched = LlamaDecoder.open(file, m.context, false);
             LlamaDecoder stepwise = LlamaDecoder.open(file, m.context, false)) {
            assertTrue(batched.quantizesActivations());
            float[] rows = new float[TOKENS.length * m.dim];
            for (int i = 0; i < TOKENS.length; i++) {
                batched.embed(TOKENS[i], rows, i * m.dim);
            }
            float[] prefill = batched.forward(rows, TOKENS.length, 0).clone();
            float[] decoded = null;
            for (int p = 0; p < TOKENS.length; p++) {
                decoded = stepwise.forward(java.util.Arrays.copyOfRange(rows, p * m.dim, (p + 1) * m.dim), 1, p);
            }
            double max = 0;
            for (int i = 0; i < prefill.length; i++) {
                max = Math.max(max, Math.abs(prefill[i] - decoded[i]));
            }
            assertTrue(max < 1e-3, "batched prefill vs one token at a time: max abs diff " + max);
        }
    }
}
