package io.github.tornadollava.llama;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.tornadollava.Golden;
import io.github.tornadollava.sampling.Sampler;
import io.github.tornadollava.sampling.SamplingParams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KV-cache bookkeeping, context limits and the generation loop, on the golden f32 LM. */
class GeneratorTest {

    private static final int[] PROMPT = {1, 450, 7483, 310, 3444, 338}; // "The capital of France is"
    /** Its 24 greedy ids from the NumPy reference (no near-tie before step 10). */
    private static final int[] GREEDY = {30595, 8034, 30595, 8034, 30595, 30595, 26081, 26470, 26470, 26470};
    private static final int[] NO_STOP = new int[0];

    private static LlamaDecoder open(int contextSize) {
        return LlamaDecoder.open(Golden.file("models/tiny-llava-lm-f32.gguf"), contextSize);
    }

    private static Sampler greedy(LanguageModel m) {
        return new Sampler(SamplingParams.greedy(), m.config().vocabSize());
    }

    private static float[] embed(LanguageModel m, int... ids) {
        int dim = m.config().dim();
        float[] rows = new float[ids.length * dim];
        for (int i = 0; i < ids.length; i++) {
            m.embed(ids[i], rows, i * dim);
        }
        return rows;
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        return Golden.maxAbsDiff(a, b);
    }

    @Test
    void batchedPrefillEqualsTokenByToken() {
        try (LlamaDecoder d = open(64)) {
            float[] rows = embed(d, PROMPT);
            float[] batched = d.forward(rows, PROMPT.length, 0).clone();
            d.truncate(0);
            float[] single = null;
            for (int p = 0; p < PROMPT.length; p++) {
                single = d.forward(Arrays.copyOfRange(rows, p * 128, (p + 1) * 128), 1, p);
            }
            assertTrue(maxAbsDiff(batched, single) < 1e-5, "diff " + maxAbsDiff(batched, single));
        }
    }

    @Test
    void truncateAndReplay() {
        try (LlamaDecoder d = open(64)) {
            float[] rows = embed(d, PROMPT);
            float[] full = d.forward(rows, PROMPT.length, 0).clone();
            assertEquals(PROMPT.length, d.position());
            d.truncate(2);
            assertEquals(2, d.position());
            float[] replay = d.forward(Arrays.copyOfRange(rows, 2 * 128, rows.length), PROMPT.length - 2, 2);
            assertTrue(maxAbsDiff(full, replay) < 1e-5);
            // Re-running from an earlier start position replaces what was cached there.
            float[] again = d.forward(Arrays.copyOfRange(rows, 3 * 128, rows.length), PROMPT.length - 3, 3);
            assertTrue(maxAbsDiff(full, again) < 1e-5);
        }
    }

    @Test
    void contextOverflowIsRefusedBeforeAnyWork() {
        try (LlamaDecoder d = open(8)) {
            float[] rows = embed(d, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.forward(rows, 9, 0));
            assertTrue(e.getMessage().contains("9") && e.getMessage().contains("context size 8"), e.getMessage());
            assertEquals(0, d.position());
            d.forward(rows, 6, 0);
            e = assertThrows(IllegalArgumentException.class, () -> d.forward(rows, 3, 6));
            assertTrue(e.getMessage().contains("6 cached + 3 new positions = 9 > context size 8"), e.getMessage());
            assertEquals(6, d.position());
            assertThrows(IllegalArgumentException.class, () -> d.forward(rows, 1, 7), "start beyond the cache");
            assertThrows(IllegalArgumentException.class, () -> d.truncate(7));
            assertThrows(IllegalArgumentException.class, () -> d.embed(32000, rows, 0));

            Generator g = new Generator(d);
            e = assertThrows(IllegalArgumentException.class, () -> g.generate(
                    List.of(Segment.Tokens.of(1, 2, 3)), greedy(d), 4, NO_STOP, Generator.TokenListener.none()));
            assertTrue(e.getMessage().contains("6 positions used + 3 new = 9 > context size 8"), e.getMessage());
            assertEquals(6, d.position());
        }
    }

    @Test
    void stopsWhenTheContextIsFull() {
        try (LlamaDecoder d = open(PROMPT.length + 3)) {
            Generator g = new Generator(d);
            GenerationResult r = g.generate(List.of(new Segment.Tokens(PROMPT)), greedy(d), Integer.MAX_VALUE, NO_STOP,
                    Generator.TokenListener.none());
            assertEquals(GenerationResult.StopReason.CONTEXT_FULL, r.stopReason());
            assertArrayEquals(Arrays.copyOf(GREEDY, 4), r.generatedIds());
            assertEquals(3, r.decodeSteps());
            assertEquals(d.contextSize() + 1, g.position(), "the last token is pending and can no longer be fed");
        }
    }

    @Test
    void stopTokenAndListener() {
        try (LlamaDecoder d = open(64)) {
            Generator g = new Generator(d);
            List<Integer> streamed = new ArrayList<>();
            GenerationResult r = g.generate(List.of(new Segment.Tokens(PROMPT)), greedy(d), 10, new int[]{2, GREEDY[1]},
                    t -> streamed.add(t));
            assertEquals(GenerationResult.StopReason.STOP_TOKEN, r.stopReason());
            assertEquals(GREEDY[1], r.stopToken());
            assertArrayEquals(new int[]{GREEDY[0]}, r.generatedIds());
            assertEquals(List.of(GREEDY[0]), streamed);
            assertEquals(PROMPT.length + 1, d.position(), "the stop token is not fed");

            g.reset();
            r = g.generate(List.of(new Segment.Tokens(PROMPT)), greedy(d), 10, NO_STOP, t -> t != GREEDY[6]);
            assertEquals(GenerationResult.StopReason.LISTENER, r.stopReason());
            assertArrayEquals(Arrays.copyOf(GREEDY, 7), r.generatedIds());
            assertEquals(PROMPT.length + 7, g.position(), "the last token is pending");
            assertEquals(PROMPT.length + 6, d.position());
        }
    }

    @Test
    void multiTurnContinuesFromTheCache() {
        int[] turn2 = {3148, 1001, 29901, 29871};
        List<Segment> image = List.of(new Segment.Embeddings(Golden.npy("cases/mm/mm-single/image0_embeddings.npy").data(), 16));
        try (LlamaDecoder d = open(128)) {
            Generator g = new Generator(d);
            Sampler s = greedy(d);
            GenerationResult first = g.generate(List.of(new Segment.Tokens(PROMPT), image.get(0)), s, 5, NO_STOP,
                    Generator.TokenListener.none());
            assertEquals(MAX_TOKENS, first.stopReason());
            assertEquals(PROMPT.length + 16 + 5, g.position());
            GenerationResult second = g.generate(List.of(new Segment.Tokens(turn2)), s, 6, NO_STOP, Generator.TokenListener.none());
            assertEquals(1 + turn2.length, second.promptPositions(), "the pending last token of turn 1 is fed first");

            // The same conversation in one go must continue identically.
            g.reset();
            int[] history = concat(PROMPT);
            GenerationResult once = g.generate(List.of(new Segment.Tokens(history), image.get(0),
                            new Segment.Tokens(concat(first.generatedIds(), turn2))), greedy(d), 6, NO_STOP,
                    Generator.TokenListener.none());
            assertArrayEquals(once.generatedIds(), second.generatedIds());
            assertTrue(second.prefillMs() > 0 && second.decodeMs() > 0 && second.tokensPerSecond() > 0);
            assertEquals(5, second.decodeSteps());
        }
    }

    private static final GenerationResult.StopReason MAX_TOKENS = GenerationResult.StopReason.MAX_TOKENS;

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void rejectsBadSegments() {
        try (LlamaDecoder d = open(64)) {
            Generator g = new Generator(d);
            assertThrows(IllegalArgumentException.class, () -> g.generate(List.of(new Segment.Embeddings(new float[64 * 2], 2)),
                    greedy(d), 1, NO_STOP, Generator.TokenListener.none()));
            assertThrows(IllegalArgumentException.class, () -> g.generate(List.of(Segment.Tokens.of()),
                    greedy(d), 1, NO_STOP, Generator.TokenListener.none()));
            assertThrows(IllegalArgumentException.class, () -> new Segment.Embeddings(new float[5], 2));
            assertEquals(0, d.position());
        }
    }

    /** Rough speed on the tiny model, printed for the record (not asserted: the machine is shared). */
    @Test
    void reportsSpeed() {
        Path model = Golden.file("models/tiny-llava-lm-f32.gguf");
        try (LlamaDecoder d = LlamaDecoder.open(model, 1024)) {
            Generator g = new Generator(d);
            int[] prompt = new int[256];
            Arrays.fill(prompt, 450);
            GenerationResult r = null;
            for (int i = 0; i < 3; i++) {
                g.reset();
                r = g.generate(List.of(new Segment.Tokens(prompt)), greedy(d), 64, NO_STOP, Generator.TokenListener.none());
            }
            System.out.printf("tiny LM f32: prefill %d positions %.1f ms (%.0f tok/s), decode %d tokens %.1f ms (%.0f tok/s)%n",
                    r.promptPositions(), r.prefillMs(), r.prefillTokensPerSecond(), r.decodeSteps(), r.decodeMs(), r.tokensPerSecond());
            assertEquals(64, r.generatedIds().length);
        }
    }
}
