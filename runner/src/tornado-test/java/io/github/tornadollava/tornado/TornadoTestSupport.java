package io.github.tornadollava.tornado;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.tornadollava.Golden;

import io.github.tornadollava.config.TornadoLaunchConfig;
import io.github.tornadollava.config.WorkGroupSizes;
import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.llama.LlamaConfig;
import io.github.tornadollava.llama.LlamaDecoder;
import io.github.tornadollava.llama.LlamaWeights;
import io.github.tornadollava.npy.Npy;

/**
 * The golden data set (system property {@code golden.dir}, set by the parent pom) and a way to
 * build the backend's decoder with a chosen batch size, for the device tests. The tests run on
 * TornadoVM's default device (PoCL's CPU device on a machine without a GPU).
 */
final class TornadoTestSupport {

    private TornadoTestSupport() {
    }

    // The golden data through the model module's test helper (its test jar), so both backends'
    // tests resolve it the same way.
    static Path golden(String relative) {
        return Golden.file(relative);
    }

    static JsonNode json(String relative) {
        return Golden.json(relative);
    }

    static float[] npy(String relative) {
        return Golden.npy(relative).data();
    }

    static Npy.Array npyArray(String relative) {
        return Golden.npy(relative);
    }

    static float maxAbsDiff(float[] a, float[] b, int n) {
        float m = 0;
        for (int i = 0; i < n; i++) {
            float d = Math.abs(a[i] - b[i]);
            if (!(d <= m)) {
                m = Float.isNaN(d) ? Float.NaN : d;
            }
        }
        return m;
    }

    static TornadoDevices.Entry device() {
        return TornadoDevices.select(null);
    }

    static WorkGroupSizes sizes() {
        return TornadoLaunchConfig.builtIn().sizesFor(device().matchText());
    }

    /** The backend's decoder over an open LM file, with {@code maxBatch} rows per prefill batch. */
    static TornadoDecoder decoder(GGUFFile lm, int contextSize, int maxBatch) {
        LlamaConfig config = LlamaConfig.from(lm);
        return new TornadoDecoder(config, LlamaWeights.load(lm, config), contextSize, maxBatch, device().handle(), sizes(), null,
                Backend.LoadListener.NONE, lm.path().getFileName().toString());
    }

    /** As {@link #decoder(GGUFFile, int, int)}, with the layers split into graphs as {@code split} says, profiled into {@code profile}. */
    static TornadoDecoder decoder(GGUFFile lm, int contextSize, int maxBatch, DecoderGraphs.Split split, DeviceProfile profile) {
        LlamaConfig config = LlamaConfig.from(lm);
        return new TornadoDecoder(config, split, LlamaWeights.load(lm, config), contextSize, maxBatch, device().handle(), sizes(), profile,
                Backend.LoadListener.NONE, lm.path().getFileName().toString());
    }

    /**
     * The CPU reference decoder over the same file, with float activations like the device's
     * kernels (the CPU's default quantizes the activations of quantized mat-vecs, as llama.cpp).
     */
    static LlamaDecoder cpuDecoder(GGUFFile lm, int contextSize) {
        LlamaConfig config = LlamaConfig.from(lm);
        return new LlamaDecoder(config, LlamaWeights.load(lm, config), contextSize, LlamaDecoder.DEFAULT_MAX_BATCH, true, null);
    }
}
