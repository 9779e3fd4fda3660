package io.github.tornadollava.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Per-device launch settings of the TornadoVM backend, read with Jackson from JSON: a default
 * and an ordered list of overrides whose {@code match} regex is tried against the device's
 * name and vendor ("NVIDIA H100 80GB HBM3", "cpu-...-pthread (Portable Computing Language)").
 * A size left out reads as 0 and is refused by {@link WorkGroupSizes}. The built-in table ships as {@code workgroups.json}; users pass their own with
 * {@code --tornado-config FILE} or {@code -Dllava.tornado.config=FILE}.
 */
public record TornadoLaunchConfig(
        @JsonProperty("default") WorkGroupSizes defaults,
        @JsonProperty("devices") List<DeviceOverride> devices) {

    /** One override: the first whose {@code match} finds itself in the device description wins. */
    public record DeviceOverride(@JsonProperty("match") String match, @JsonProperty("sizes") WorkGroupSizes sizes) {
        public DeviceOverride {
            if (match == null || match.isBlank()) {
                throw new IllegalArgumentException("a device override needs a non-empty 'match' regex");
            }
            Pattern.compile(match); // fails early on a bad pattern
            if (sizes == null) {
                throw new IllegalArgumentException("device override '" + match + "' has no 'sizes'");
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public TornadoLaunchConfig {
        if (defaults == null) {
            throw new IllegalArgumentException("the TornadoVM config needs a 'default' entry");
        }
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /** The sizes for a device described by {@code description} (name + vendor + driver). */
    public WorkGroupSizes sizesFor(String description) {
        for (DeviceOverride o : devices) {
            if (Pattern.compile(o.match(), Pattern.CASE_INSENSITIVE).matcher(description).find()) {
                return o.sizes();
            }
        }
        return defaults;
    }

    /** The table shipped with the project. */
    public static TornadoLaunchConfig builtIn() {
        try (InputStream in = TornadoLaunchConfig.class.getResourceAsStream("workgroups.json")) {
            if (in == null) {
                throw new IllegalStateException("workgroups.json missing from the tornado-config jar");
            }
            return JSON.readValue(in, TornadoLaunchConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A user's table; errors name the file. */
    public static TornadoLaunchConfig load(Path file) {
        try {
            return JSON.readValue(Files.readAllBytes(file), TornadoLaunchConfig.class);
        } catch (IOException | IllegalArgumentException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException(file + ": not a valid TornadoVM launch config: " + msg, e);
        }
    }

    /** {@code -Dllava.tornado.config=FILE} if set, else the built-in table. */
    public static TornadoLaunchConfig resolve(Path explicit) {
        if (explicit != null) {
            return load(explicit);
        }
        String prop = System.getProperty("llava.tornado.config");
        return prop != null ? load(Path.of(prop)) : builtIn();
    }
}
