package io.github.tornadollava.vision;

/**
 * Turns one preprocessed image into the rows that replace its {@code <image>} placeholder in
 * the language model's input: ViT + projector. Implemented on the CPU by
 * {@link CpuVisionEncoder}; a GPU backend implements the same contract.
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

    /** Releases the model (files, device memory); no exception. */
    @Override
    void close();
}
