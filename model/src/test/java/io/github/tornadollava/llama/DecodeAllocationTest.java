package io.github.tornadollava.llama;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.tornadollava.Golden;
import io.github.tornadollava.kernels.cpu.Parallel;
import io.github.tornadollava.sampling.Sampler;
import io.github.tornadollava.sampling.SamplingParams;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-token loop reuses the model's and sampler's buffers. Once C2 has compiled it, it
 * allocates 0 bytes per token (checked by hand over ~1500 tokens); before that, Vector API code
 * running in C1 allocates ~12 KB per token on this model. The bound sits between that and the
 * 128 KB of one logits row, so a per-token copy of the logits or an activation batch fails here.
 * The Q8_0 model runs the default quantized-activation path (float activations on F32), whose
 * integer kernels take C2 longer to reach: the best of repeated runs counts, for up to 20 s.
 */
class DecodeAllocationTest {

    @ParameterizedTest
    @ValueSource(strings = {"models/tiny-llava-lm-f32.gguf", "models/tiny-llava-lm-q8_0.gguf"})
    void decodeAllocatesLessThanALogitsRowPerToken(String model) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int threads = Parallel.threads();
        Parallel.setThreads(1); // everything runs on this thread, where the allocation counter looks
        try (LlamaDecoder d = LlamaDecoder.open(Golden.file(model), 128)) {
            Generator g = new Generator(d);
            Sampler s = new Sampler(SamplingParams.defaults(1), d.config().vocabSize());
            List<Segment> prompt = List.of(Segment.Tokens.of(1, 450, 7483));
            int tokens = 50;
            long perToken = Long.MAX_VALUE;
            // until C2 has compiled the kernels (background compilation: how long depends on the
            // machine's load), at most 20 s; a steady-state per-token allocation still fails
            long deadline = System.nanoTime() + 20_000_000_000L;
            for (int run = 0; run < 5 || (perToken >= 65536 && System.nanoTime() < deadline); run++) {
                g.reset();
                long before = mx.getCurrentThreadAllocatedBytes();
                g.generate(prompt, s, tokens, new int[0], Generator.TokenListener.none());
                perToken = Math.min(perToken, (mx.getCurrentThreadAllocatedBytes() - before) / tokens);
            }
            System.out.println(model + " decode allocation: " + perToken + " bytes/token");
            assertTrue(perToken < 65536, perToken + " bytes allocated per decoded token");
        } finally {
            Parallel.setThreads(threads);
        }
    }
}
