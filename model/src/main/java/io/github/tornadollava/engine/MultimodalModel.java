package io.github.tornadollava.engine;

import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.vision.VisionEncoder;

/**
 * A language model and the vision encoder of its mmproj, loaded together by
 * {@link Backend#multimodal}, so that the image embeddings the encoder returns from
 * {@link VisionEncoder#embed} can be fed to this language model wherever they are. Closing it
 * closes both (the caller keeps the files).
 */
public record MultimodalModel(LanguageModel languageModel, VisionEncoder visionEncoder) implements AutoCloseable {

    public MultimodalModel {
        if (languageModel == null || visionEncoder == null) {
            throw new IllegalArgumentException("a multimodal model needs both a language model and a vision encoder");
        }
    }

    /**
     * Refuses an LM + mmproj pair whose projector output is not the LM's embedding width.
     *
     * @param lm     names the LM in the message (its file)
     * @param mmproj names the mmproj in the message
     */
    public static void requireMatchingPair(int lmDim, int projectorDim, String lm, String mmproj) {
        if (lmDim != projectorDim) {
            throw new IllegalArgumentException(mmproj + ": the projector outputs " + projectorDim + "-wide embeddings but " + lm
                    + " expects " + lmDim + ": not a matching LLaVA pair");
        }
    }

    @Override
    public void close() {
        try {
            visionEncoder.close();
        } finally {
            languageModel.close();
        }
    }
}
