package io.github.tornadollava.runner;

import java.nio.file.Path;
import java.util.List;

import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.engine.MultimodalModel;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.kernels.cpu.JitFlags;
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
        warnAboutJitFlags(backend);
        Engines e = new Engines(backend);
        try {
            if (model != null) {
                e.lmFile = GGUFFile.open(model);
                e.tokenizer = Tokenizer.fromGGUF(e.lmFile);
            }
            if (mmproj != null) {
                e.mmFile = GGUFFile.open(mmproj);
            }
            int ctx = model == null ? 0 : contextSize != null ? contextSize
                    : io.github.tornadollava.llama.LlamaConfig.from(e.lmFile).contextLength();
            if (model != null && mmproj != null) {
                // loaded together, so that a device backend can keep image embeddings on the device for the decoder
                progress.begin("loading " + model.getFileName() + " + " + mmproj.getFileName());
                MultimodalModel both = backend.multimodal(e.lmFile, e.mmFile, ctx, progress::update);
                e.lm = both.languageModel();
                e.vision = both.visionEncoder();
                progress.end();
            } else if (model != null) {
                progress.begin("loading " + model.getFileName());
                e.lm = backend.languageModel(e.lmFile, ctx, progress::update);
                progress.end();
            } else if (mmproj != null) {
                progress.begin("loading " + mmproj.getFileName());
                e.vision = backend.visionEncoder(e.mmFile, progress::update);
                progress.end();
            }
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    /** Started without ./llava (or with other flags), the CPU kernels can compile to slower code: say so. */
    private static void warnAboutJitFlags(Backend backend) {
        if (!backend.name().equals("cpu")) {
            return;
        }
        List<String> missing = JitFlags.missing();
        if (!missing.isEmpty()) {
            System.err.println("llava: warning: this JVM runs without " + String.join(" ", missing)
                    + "; the CPU kernels may then compile to code that decodes up to 2x slower after a prefill"
                    + " (./llava passes these flags; see the README)");
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

    /** The language model's file, open while this is (null without a model). */
    GGUFFile languageModelFile() {
        return lmFile;
    }

    /** The mmproj's file, open while this is (null without one). */
    GGUFFile mmprojFile() {
        return mmFile;
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
