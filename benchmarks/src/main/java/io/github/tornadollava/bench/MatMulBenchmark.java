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

import io.github.tornadollava.kernels.cpu.WeightMatrix;
import io.github.tornadollava.kernels.format.GGMLType;
import io.github.tornadollava.kernels.cpu.JitFlags;

/**
 * Batched {@code Y = X W^T} for a prefill of {@code tokens} rows (or the ViT's patches), all
 * cores: each weight row is decoded once per batch, so this is compute-bound.
 * GFLOP/s = 2 * tokens * rows * cols / (ns/op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", JitFlags.TRAP_LIMIT, JitFlags.RECOMPILATION_CUTOFF, "-Xmx2g"})
public class MatMulBenchmark {

    @Param({"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    public String type;

    @Param({"2048"})
    public int rows;

    @Param({"2048"})
    public int cols;

    @Param({"64"})
    public int tokens;

    private WeightMatrix w;
    private float[] x;
    private float[] y;

    @Setup
    public void setup() {
        GGMLType t = GGMLType.valueOf(type);
        w = new WeightMatrix("bench", t, RandomWeights.matrix(t, rows, cols, 42), rows, cols);
        x = RandomWeights.vector(tokens * cols, 7);
        y = new float[tokens * rows];
    }

    @Benchmark
    public float[] matmul() {
        w.matmul(x, tokens, y);
        return y;
    }
}
