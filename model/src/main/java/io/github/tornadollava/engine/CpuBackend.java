package io.github.tornadollava.engine;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.kernels.cpu.Parallel;
import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.llama.LlamaConfig;
import io.github.tornadollava.llama.LlamaDecoder;
import io.github.tornadollava.llama.LlamaWeights;
import io.github.tornadollava.vision.CpuVisionEncoder;
import io.github.tornadollava.vision.VisionEncoder;

/** The pure-Java backend: weights stay memory-mapped, kernels run on {@link Parallel}'s pool. */
public final class CpuBackend implements Backend {

    private final boolean exactActivations;

    public CpuBackend(BackendSettings settings) {
        this.exactActivations = settings.exactActivations() || Boolean.getBoolean(LlamaDecoder.EXACT_ACTIVATIONS);
        if (settings.threads() != null) {
            Parallel.setThreads(settings.threads());
        }
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "cpu, " + Parallel.threads() + " threads" + (exactActivations ? ", exact" : "");
    }

    @Override
    public LanguageModel languageModel(GGUFFile lm, int contextSize, LoadListener progress) {
        LlamaConfig config = LlamaConfig.from(lm);
        LlamaWeights weights = LlamaWeights.load(lm, config);
        progress.loaded(1, 1);
        return new LlamaDecoder(config, weights, contextSize, LlamaDecoder.DEFAULT_MAX_BATCH, exactActivations, null);
    }

    @Override
    public VisionEncoder visionEncoder(GGUFFile mmproj, LoadListener progress) {
        VisionEncoder ve = CpuVisionEncoder.of(mmproj);
        progress.loaded(1, 1);
        return ve;
    }

    /** Registered in META-INF/services. */
    public static final class Provider implements BackendProvider {
        @Override
        public String name() {
            return "cpu";
        }

        @Override
        public Backend create(BackendSettings settings) {
            return new CpuBackend(settings);
        }
    }
}
