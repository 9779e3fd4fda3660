package io.github.tornadollava.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.github.tornadollava.kernels.cpu.Activations;
import io.github.tornadollava.kernels.cpu.JitFlags;

/**
 * One row of each element-wise activation, single thread (the callers parallelize over rows):
 * the projector's exact GELU (4096 wide), CLIP's quick-GELU (its fc1 output, 4096) and LLaMA's
 * SiLU gate (5632 for the 1B shape, 11008 for 7B). Each runs in place, so every invocation
 * starts from a fresh copy of the input (the copy is part of the time, the same for all).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", JitFlags.TRAP_LIMIT, JitFlags.RECOMPILATION_CUTOFF, "-Xmx1g"})
public class ActivationsBenchmark {

    @Param({"4096", "11008"})
    public int n;

    private float[] source;
    private float[] up;
    private float[] x;

    @Setup
    public void setup() {
        source = RandomWeights.vector(n, 1);
        for (int i = 0; i < n; i++) {
            source[i] *= 8; // -8..8: pre-activation magnitudes, both tails of the curves included
        }
        up = RandomWeights.vector(n, 2);
        x = new float[n];
    }

    @Benchmark
    public float[] gelu() {
        System.arraycopy(source, 0, x, 0, n);
        Activations.gelu(x, 0, n);
        return x;
    }

    @Benchmark
    public float[] quickGelu() {
        System.arraycopy(source, 0, x, 0, n);
        Activations.quickGelu(x, 0, n);
        return x;
    }

    @Benchmark
    public float[] siluMul() {
        System.arraycopy(source, 0, x, 0, n);
        Activations.siluMul(x, 0, up, 0, n);
        return x;
    }
}
