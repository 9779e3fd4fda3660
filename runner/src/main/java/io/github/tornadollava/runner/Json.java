package io.github.tornadollava.runner;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper of the CLI. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
