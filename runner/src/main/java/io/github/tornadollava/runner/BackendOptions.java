package io.github.tornadollava.runner;

import java.nio.file.Path;

import io.github.tornadollava.engine.BackendSettings;
import picocli.CommandLine.Option;

/** Where the model runs: shared by every command that computes. */
final class BackendOptions {

    @Option(names = "--backend", defaultValue = "cpu", paramLabel = "cpu|tornado",
            description = "cpu (Vector API, default) or tornado (TornadoVM accelerator; launch with ./llava and TORNADOVM_HOME).")
    String backend;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--device", paramLabel = "N|B:D", description = "TornadoVM device: index from `llava devices`, or BACKEND:DEVICE.")
    String device;

    @Option(names = "--tornado-config", paramLabel = "FILE", description = "JSON table of per-device work-group sizes (default: built in).")
    Path tornadoConfig;

    @Option(names = "--exact-activations",
            description = "CPU decode: multiply quantized weights with float activations (the float reference's numbers) "
                    + "instead of int8-quantized ones as llama.cpp does (default; faster).")
    boolean exactActivations;

    BackendSettings settings(boolean profile) {
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        return new BackendSettings(threads, device, tornadoConfig, profile, exactActivations);
    }

    void apply() {
        if (threads != null) {
            io.github.tornadollava.kernels.cpu.Parallel.setThreads(threads);
        }
    }
}
