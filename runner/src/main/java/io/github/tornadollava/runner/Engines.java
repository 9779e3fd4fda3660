package io.github.tornadollava.runner;

import java.nio.file.Path;

import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.tokenizer.Tokenizer;
import io.github.tornadollava.vision.VisionEncoder;

/**
 * The opened checkpoint pair on one backend: files, tokenizer, decoder and vision encoder.
 * Closing it releases everything in reverse order.
 */
final class Engines implements AutoCloseable {

    private final Backend backend;
    private GGUFFile lmFile;
    private GGUFFile mmFile;
    private Tokenizer tokenizer;
    private LanguageModel lm;
    private VisionEncoder vision;

    private Engines(Backend backend) {
        this.backend = backend;
    }

    /**
     * Opens what is given; {@code contextSize} null means the model's own context length.
     * Loading shows progress on a terminal.
     */
    static Engines open(BackendOptions options, Path model, Path mmproj, Integer contextSize, boolean profile, Progress progress) {
        Backend backend = Backend.create(options.backend, options.settings(profile));
        Engines e = new Engines(backend);
        try {
            if (model != null) {
                progress.begin("loading " + model.getFileName());
                e.lmFile = GGUFFile.open(model);
                e.tokenizer = Tokenizer.fromGGUF(e.lmFile);
                int ctx = contextSize != null ? contextSize
                        : io.github.tornadollava.llama.LlamaConfig.from(e.lmFile).contextLength();
                e.lm = backend.languageModel(e.lmFile, ctx, progress::update);
                progress.end();
            }
            if (mmproj != null) {
                progress.begin("loading " + mmproj.getFileName());
                e.mmFile = GGUFFile.open(mmproj);
                e.vision = backend.visionEncoder(e.mmFile, progress::update);
                progress.end();
                if (e.lm != null && e.vision.outputDim() != e.lm.config().dim()) {
                    throw new IllegalArgumentException(mmproj + ": the projector outputs " + e.vision.outputDim()
                            + "-wide embeddings but " + model + " expects " + e.lm.config().dim()
                            + ": not a matching LLaVA pair");
                }
            }
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    static Engines open(BackendOptions options, Path model, Path mmproj, int contextSize, boolean profile) {
        return open(options, model, mmproj, contextSize, profile, new Progress(false));
    }

    Backend backend() {
        return backend;
    }

    String description() {
        return backend.description();
    }

    String profileSummary() {
        return backend.profileSummary();
    }

    Tokenizer tokenizer() {
        return tokenizer;
    }

    LanguageModel languageModel() {
        return lm;
    }

    VisionEncoder visionEncoder() {
        return vision;
    }

    @Override
    public void close() {
        if (vision != null) {
            vision.close();
        }
        if (lm != null) {
            lm.close();
        }
        if (mmFile != null) {
            mmFile.close();
        }
        if (lmFile != null) {
            lmFile.close();
        }
        backend.close();
    }
}
