package io.github.tornadollava.llama;

/**
 * What one {@link Generator#generate} call did.
 *
 * @param promptPositions positions prefilled: token ids plus embedding rows, plus the previous call's
 *                        pending token (see {@link Generator})
 * @param generatedIds    the sampled tokens in order, without the stop token
 * @param stopReason      why generation ended
 * @param stopToken       the stop token that ended it, or -1
 * @param prefillNanos    time to run the prompt through the model and get the first logits
 * @param decodeNanos     time of the remaining forward passes and sampling
 * @param decodeSteps     single-token forward passes run during decoding
 */
public record GenerationResult(int promptPositions, int[] generatedIds, StopReason stopReason, int stopToken,
                               long prefillNanos, long decodeNanos, int decodeSteps) {

    public enum StopReason {
        /** maxTokens tokens were generated. */
        MAX_TOKENS,
        /** A stop token (EOS) was sampled. */
        STOP_TOKEN,
        /** The token listener asked to stop. */
        LISTENER,
        /** The KV cache is full. */
        CONTEXT_FULL
    }

    public double prefillMs() {
        return prefillNanos / 1e6;
    }

    public double decodeMs() {
        return decodeNanos / 1e6;
    }

    /** Prompt positions processed per second. */
    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : promptPositions * 1e9 / prefillNanos;
    }

    /** Decode speed: single-token forward passes (with sampling) per second. */
    public double tokensPerSecond() {
        return decodeNanos == 0 ? 0 : decodeSteps * 1e9 / decodeNanos;
    }
}
