package io.github.tornadollava.engine;

import java.nio.file.Path;

/**
 * What the user chose for a backend: CPU threads (null = all cores), the TornadoVM device
 * ({@code N} or {@code B:D}, null = TornadoVM's default), a work-group size table, and whether to
 * collect TornadoVM's profiler figures.
 */
public record BackendSettings(Integer threads, String device, Path tornadoConfig, boolean profile) {

    public static final BackendSettings DEFAULTS = new BackendSettings(null, null, null, false);
}
