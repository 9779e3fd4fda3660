package io.github.tornadollava.vision;

/**
 * Turns one preprocessed image into the rows that replace its {@code <image>} placeholder in
 * the language model's input: ViT + projector. Implemented on the CPU by
 * {@link CpuVisionEncoder}; a GPU backend implements the same contract. {@link #encode} brings
 * the rows to the host (for {@code llava encode}); {@link #embed} hands them to a prompt.
 */
public interface VisionEncoder extends AutoCloseable {

    /** Told how far an encoding has got, so a CLI can show progress. */
    @FunctionalInterface
    interface ProgressListener {
        ProgressListener NONE = (done, total) -> { };

        /** Called after each ViT block with the blocks done so far and the blocks to run. */
        void blocksDone(int done, int total);
    }

    ClipConfig config();

    /** Embedding rows per image: the patch count (576 for LLaVA-1.5's 336 px / 14 ViT). */
    int tokensPerImage();

    /** Width of each row: the language model's embedding length. */
    int outputDim();

    /**
     * @param pixels [3][imageSize][imageSize] normalized pixels ({@link ClipConfig#pixelCount()} floats)
     * @return [tokensPerImage][outputDim] image embeddings, row-major
     */
    float[] encode(float[] pixels, ProgressListener progress);

    default float[] encode(float[] pixels) {
        return encode(pixels, ProgressListener.NONE);
    }

    /**
     * The embeddings of one image where the language model of the same backend reads them best,
     * for a prompt rather than for the host: by default {@link #encode} on the host; an encoder
     * loaded together with its language model on an accelerator ({@code Backend.multimodal})
     * leaves them in device memory.
     *
     * @param pixels as for {@link #encode}
     */
    default ImageEmbeddings embed(float[] pixels, ProgressListener progress) {
        return new ImageEmbeddings.Host(encode(pixels, progress), tokensPerImage());
    }

    /** Releases the model (files, device memory); no exception. */
    @Override
    void close();
}
