package io.github.tornadollava.runner;

import io.github.tornadollava.sampling.SamplingParams;
import picocli.CommandLine.Option;

/** The sampler's knobs, with llama.cpp's meanings (and LLaVA's low default temperature). */
final class SamplingOptions {

    @Option(names = {"-n", "--n-predict"}, defaultValue = "256", paramLabel = "N", description = "Maximum tokens to generate. Default: ${DEFAULT-VALUE}.")
    int nPredict;

    @Option(names = "--temperature", defaultValue = "0.2", paramLabel = "T", description = "0 = greedy. Default: ${DEFAULT-VALUE} (LLaVA's).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", paramLabel = "K", description = "Default: ${DEFAULT-VALUE} (0 = off).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", paramLabel = "P", description = "Default: ${DEFAULT-VALUE} (1 = off).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", paramLabel = "P", description = "Default: ${DEFAULT-VALUE} (0 = off).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", paramLabel = "R", description = "Default: ${DEFAULT-VALUE} (1 = off).")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int repeatLastN;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: random).")
    Long seed;

    @Option(names = "--ignore-eos", description = "Keep generating after the end-of-sequence token.")
    boolean ignoreEos;

    SamplingParams params() {
        if (nPredict < 0) {
            throw new IllegalArgumentException("--n-predict must be >= 0, got " + nPredict);
        }
        long s = seed != null ? seed : System.nanoTime();
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, s);
    }
}
