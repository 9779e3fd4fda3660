package io.github.tornadollava.llama;

import java.util.List;

import io.github.tornadollava.vision.ImageEmbeddings;

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

    /**
     * {@link #forward(float[], int, int)} over prompt segments, all positions of all segments in
     * one call. The default builds the rows on the host ({@link #hostRows}); a backend whose
     * vision encoder leaves image embeddings in device memory overrides it to read them there.
     *
     * @throws IllegalArgumentException before doing any work as {@link #forward(float[], int, int)},
     *         or for image embeddings this model cannot read (on a device, or of the wrong width)
     */
    default float[] forward(List<Segment> segments, int startPos) {
        float[] rows = hostRows(this, segments);
        return forward(rows, rows.length / config().dim(), startPos);
    }

    /**
     * The rows of {@code segments} on the host, concatenated: tokens embedded by {@code model},
     * embedding rows copied.
     *
     * @throws IllegalArgumentException for rows of another width than the model's, or image
     *         embeddings that are in device memory
     */
    static float[] hostRows(LanguageModel model, List<Segment> segments) {
        int dim = model.config().dim();
        long n = 0;
        for (Segment s : segments) {
            switch (s) {
                case Segment.Tokens t -> n += t.length();
                case Segment.Embeddings e -> {
                    if (e.nRows() > 0 && e.width() != dim) {
                        throw new IllegalArgumentException("embedding segment rows have width " + e.width()
                                + ", the model's embedding width is " + dim);
                    }
                    n += e.nRows();
                }
                case Segment.Image i -> {
                    if (i.embeddings() instanceof ImageEmbeddings.OnDevice d) {
                        throw new IllegalArgumentException("image embeddings in " + d.location() + " cannot be read by this language model"
                                + " (load the LM and the mmproj together with Backend.multimodal, on the same backend)");
                    }
                    if (i.embeddings().width() != dim) {
                        throw new IllegalArgumentException("image embeddings have width " + i.embeddings().width()
                                + ", the model's embedding width is " + dim);
                    }
                    n += i.length();
                }
            }
        }
        float[] rows = new float[Math.multiplyExact(Math.toIntExact(n), dim)];
        int row = 0;
        for (Segment s : segments) {
            switch (s) {
                case Segment.Tokens t -> {
                    for (int id : t.ids()) {
                        model.embed(id, rows, row++ * dim); // throws on an id outside the vocabulary
                    }
                }
                case Segment.Embeddings e -> {
                    System.arraycopy(e.rows(), 0, rows, row * dim, e.nRows() * dim);
                    row += e.nRows();
                }
                case Segment.Image i -> {
                    ImageEmbeddings.Host h = (ImageEmbeddings.Host) i.embeddings();
                    System.arraycopy(h.rows(), 0, rows, row * dim, h.nRows() * dim);
                    row += h.nRows();
                }
            }
        }
        return rows;
    }

    /** Forgets the cached positions {@code nPositions} and beyond; {@code truncate(0)} starts afresh. */
    void truncate(int nPositions);

    /** Number of positions in the KV cache, i.e. the position of the next row fed. */
    int position();

    /** Releases the weights (unmaps the file when the model opened it). */
    @Override
    void close();
}
