package io.github.tornadollava.runner;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.github.tornadollava.llama.GenerationResult;

/** The timing figures of one generation, for the JSON output and the stderr summary. */
final class Timings {
    private Timings() {
    }

    static Map<String, Object> of(GenerationResult r, double imageEncodeMs) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("image_encode_ms", imageEncodeMs);
        t.put("prompt_ms", r.prefillMs());
        t.put("prompt_positions", r.promptPositions());
        t.put("prompt_per_second", r.prefillTokensPerSecond());
        t.put("predicted_ms", r.decodeMs());
        t.put("predicted_n", r.generatedIds().length);
        t.put("predicted_per_second", r.tokensPerSecond());
        return t;
    }

    static String line(GenerationResult r, double imageEncodeMs, String backend) {
        return String.format(Locale.ROOT,
                "[%s] image encode %.0f ms | prompt %d positions in %.0f ms (%.1f t/s) | generated %d tokens in %.0f ms (%.2f t/s), stop: %s",
                backend, imageEncodeMs, r.promptPositions(), r.prefillMs(), r.prefillTokensPerSecond(),
                r.generatedIds().length, r.decodeMs(), r.tokensPerSecond(), r.stopReason().name().toLowerCase(Locale.ROOT));
    }
}
