package io.github.tornadollava.engine;

import java.nio.file.Path;

/**
 * What the user chose for a backend: CPU threads (null = all cores), the TornadoVM device
 * ({@code N} or {@code B:D}, null = TornadoVM's default), a work-group size table, whether to
 * collect TornadoVM's profiler figures, and whether the CPU decoder keeps activations float
 * instead of quantizing them as llama.cpp does (see LlamaDecoder.EXACT_ACTIVATIONS).
 */
public record BackendSettings(Integer threads, String device, Path tornadoConfig, boolean profile,
                              boolean exactActivations) {

    public static final BackendSettings DEFAULTS = new BackendSettings(null, null, null, false, false);
}
