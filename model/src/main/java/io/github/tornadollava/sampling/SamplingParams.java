package io.github.tornadollava.sampling;

/**
 * How the next token is chosen from the logits, with llama.cpp's meaning for every knob.
 *
 * @param temperature   logits are divided by it before sampling; 0 = greedy (argmax, lowest id wins ties)
 * @param topK          keep the k most likely tokens; 0 or less = keep all
 * @param topP          keep the smallest most-likely set whose probability reaches p; 1 = off
 * @param minP          drop tokens less likely than minP times the most likely one; 0 = off
 * @param repeatPenalty logits of tokens among the last {@code repeatLastN} are divided by it when
 *                      positive and multiplied by it when negative; 1 = off
 * @param repeatLastN   how many recent tokens the penalty looks at; 0 = off
 * @param seed          seed of the random generator, so a run can be repeated exactly
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repeatPenalty,
                             int repeatLastN, long seed) {

    public SamplingParams {
        check(temperature >= 0 && Float.isFinite(temperature), "temperature must be >= 0, got " + temperature);
        check(topP > 0 && topP <= 1, "top-p must be in (0, 1], got " + topP);
        check(minP >= 0 && minP <= 1, "min-p must be in [0, 1], got " + minP);
        check(repeatPenalty > 0 && Float.isFinite(repeatPenalty), "repeat penalty must be > 0, got " + repeatPenalty);
        check(repeatLastN >= 0, "repeat-last-n must be >= 0, got " + repeatLastN);
    }

    /** Plain argmax, as the golden references use. */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 0, 0L);
    }

    /** llama.cpp's defaults (temp 0.8, top-k 40, top-p 0.95, min-p 0.05, no repetition penalty, last-n 64). */
    public static SamplingParams defaults(long seed) {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1f, 64, seed);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    private static void check(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }
}
