package io.github.tornadollava;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.tornadollava.npy.Npy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared golden data set ({@code ../shared/golden} beside the repository root, passed in by
 * Maven as the {@code golden.dir} system property). Tests that need it are skipped, with the path
 * in the message, when it is absent; CI checks that it is present so nothing is skipped there.
 */
public final class Golden {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Golden() {
    }

    public static Path dir() {
        String p = System.getProperty("golden.dir", "../shared/golden");
        Path dir = Path.of(p).toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(dir), "golden data not found at " + dir);
        return dir;
    }

    public static Path file(String relative) {
        return dir().resolve(relative);
    }

    public static JsonNode json(String relative) {
        try {
            return JSON.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode index() {
        return json("index.json");
    }

    public static Npy.Array npy(String relative) {
        try {
            return Npy.read(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " != " + b.length);
        }
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
