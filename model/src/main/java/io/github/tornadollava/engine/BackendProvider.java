package io.github.tornadollava.engine;

/** Service-provider entry (META-INF/services) that creates a {@link Backend} on demand. */
public interface BackendProvider {

    String name();

    Backend create(BackendSettings settings);
}
