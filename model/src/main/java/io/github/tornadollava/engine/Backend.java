package io.github.tornadollava.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.vision.VisionEncoder;

/**
 * Where the three LLaVA stages run. The CPU backend ships in this module; the TornadoVM backend
 * is built by the {@code tornado} Maven profile and found through {@link ServiceLoader}, so the
 * default build has no TornadoVM dependency at all.
 */
public interface Backend extends AutoCloseable {

    /** "cpu" or "tornado": what {@code --backend} names. */
    String name();

    /** One line for logs and benchmark tables, e.g. "cpu, 2 threads" or the accelerator's name. */
    String description();

    /** The decoder over the LM file's weights, with a KV cache of {@code contextSize} positions. The caller keeps the file open. */
    LanguageModel languageModel(GGUFFile lm, int contextSize, LoadListener progress);

    /** The ViT + projector of an mmproj file. The caller keeps the file open. */
    VisionEncoder visionEncoder(GGUFFile mmproj, LoadListener progress);

    /**
     * The LM and the ViT + projector of its mmproj, loaded together: a backend on an accelerator
     * can then hand image embeddings from the projector to the decoder without a trip through
     * host memory. The default loads them one after the other, as {@link #languageModel} and
     * {@link #visionEncoder} do. The caller keeps both files open.
     *
     * @throws IllegalArgumentException when the projector's output width is not the LM's embedding width
     */
    default MultimodalModel multimodal(GGUFFile lm, GGUFFile mmproj, int contextSize, LoadListener progress) {
        LanguageModel model = languageModel(lm, contextSize, progress);
        VisionEncoder vision = null;
        try {
            vision = visionEncoder(mmproj, progress);
            MultimodalModel.requireMatchingPair(model.config().dim(), vision.outputDim(), String.valueOf(lm.path()),
                    String.valueOf(mmproj.path()));
            return new MultimodalModel(model, vision);
        } catch (RuntimeException e) {
            if (vision != null) {
                vision.close();
            }
            model.close();
            throw e;
        }
    }

    /** The devices this backend can run on, one line each, numbered as {@code --device} takes them. */
    default List<String> devices() {
        return List.of(description());
    }

    /** Kernel vs transfer time since the last call, where the backend can profile; empty otherwise. */
    default String profileSummary() {
        return "";
    }

    @Override
    default void close() {
    }

    /** Told how loading proceeds (uploading weights to a device takes a while). */
    @FunctionalInterface
    interface LoadListener {
        LoadListener NONE = (done, total) -> { };

        void loaded(int done, int total);
    }

    /** The backend called {@code name}, configured by {@code settings}. */
    static Backend create(String name, BackendSettings settings) {
        List<String> known = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals(name)) {
                return p.create(settings);
            }
            known.add(p.name());
        }
        String hint = name.equals("tornado")
                ? " (this build has no TornadoVM backend: build with TORNADOVM_HOME set, and launch with ./llava so the SDK's argfile is used)"
                : "";
        throw new IllegalArgumentException("unknown backend '" + name + "', available: " + known + hint);
    }
}
