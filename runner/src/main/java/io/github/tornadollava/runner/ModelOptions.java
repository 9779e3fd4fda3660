package io.github.tornadollava.runner;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The checkpoint pair: a LLaMA/Vicuna GGUF and, for images, its mmproj GGUF. */
final class ModelOptions {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "LM.gguf", description = "Language-model GGUF.")
    Path model;

    @Option(names = "--mmproj", paramLabel = "MM.gguf", description = "Vision tower + projector GGUF (needed for images).")
    Path mmproj;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "KV-cache positions (default: the model's context length).")
    Integer contextSize;
}
