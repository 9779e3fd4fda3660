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

import io.github.tornadollava.kernels.cpu.Norms;
import io.github.tornadollava.kernels.cpu.JitFlags;

/**
 * One row of RMSNorm (the decoder, 2048/4096 wide) and LayerNorm (the ViT, 1024 wide), single
 * thread: the callers parallelize over rows. Small next to the matrix products, but run twice
 * per layer on every row.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", JitFlags.TRAP_LIMIT, JitFlags.RECOMPILATION_CUTOFF, "-Xmx1g"})
public class NormsBenchmark {

    @Param({"1024", "4096"})
    public int n;

    private float[] x;
    private float[] weight;
    private float[] bias;
    private float[] out;

    @Setup
    public void setup() {
        x = RandomWeights.vector(n, 1);
        weight = RandomWeights.vector(n, 2);
        bias = RandomWeights.vector(n, 3);
        out = new float[n];
    }

    @Benchmark
    public float[] rmsnorm() {
        Norms.rmsnorm(out, 0, x, 0, weight, n, 1e-5f);
        return out;
    }

    @Benchmark
    public float[] layernorm() {
        Norms.layernorm(out, 0, x, 0, weight, bias, n, 1e-5f);
        return out;
    }
}
