package io.github.tornadollava.llama;

/**
 * A decoder-only language model with its own KV cache, as seen by the generation loop. The CPU
 * backend ({@link LlamaDecoder}) and the TornadoVM backend implement it.
 *
 * <p>Inputs are embedding rows rather than token ids so that LLaVA image features (one row per
 * image patch) and token embeddings flow through the same path; {@link #embed} turns a token into
 * its row. Positions are consecutive over everything fed so far.
 */
public interface LanguageModel extends AutoCloseable {

    LlamaConfig config();

    /** Maximum number of positions the KV cache holds (at most {@code config().contextLength()}). */
    int contextSize();

    /** Writes the embedding row of {@code token} ({@code config().dim()} floats) to {@code out[offset..]}. */
    void embed(int token, float[] out, int offset);

    /**
     * Runs {@code nTokens} embedding rows ({@code dim} floats each, row-major in {@code embeddings})
     * at positions {@code startPos, startPos+1, ...} through all layers, appending their keys and
     * values to the cache (anything cached at or beyond {@code startPos} is replaced), and returns
     * the logits ({@code vocabSize} floats) of the last row only.
     *
     * <p>The returned array belongs to the model and is overwritten by the next call.
     *
     * @throws IllegalArgumentException before doing any work when {@code startPos > position()}
     *         or {@code startPos + nTokens > contextSize()}, or the array is too short
     */
    float[] forward(float[] embeddings, int nTokens, int startPos);

    /** Forgets the cached positions {@code nPositions} and beyond; {@code truncate(0)} starts afresh. */
    void truncate(int nPositions);

    /** Number of positions in the KV cache, i.e. the position of the next row fed. */
    int position();

    /** Releases the weights (unmaps the file when the model opened it). */
    @Override
    void close();
}
