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
import io.github.tornadollava.kernels.format.QuantizedActivations;
import io.github.tornadollava.kernels.cpu.JitFlags;

/**
 * {@code y = W x} for one token (the decode step), all cores, weights streamed from memory:
 * this is bandwidth-bound, so bytes per weight matter as much as decode cost.
 * GFLOP/s = 2 * rows * cols / (ns/op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", JitFlags.TRAP_LIMIT, JitFlags.RECOMPILATION_CUTOFF, "-Xmx2g"})
public class MatVecBenchmark {

    @Param({"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    @Param({"4096"})
    public int rows;

    @Param({"4096"})
    public int cols;

    private WeightMatrix w;
    private float[] x;
    private float[] y;
    private QuantizedActivations xq;

    @Setup
    public void setup() {
        GGMLType t = GGMLType.valueOf(type);
        w = new WeightMatrix("bench", t, RandomWeights.matrix(t, rows, cols, 42), rows, cols);
        x = RandomWeights.vector(cols, 7);
        y = new float[rows];
        xq = new QuantizedActivations(cols, true);
    }

    @Benchmark
    public float[] matvec() {
        w.matvec(x, 0, y, 0);
        return y;
    }

    /** The decode step as the CPU decoder runs it by default: quantize x as llama.cpp does, integer kernels. */
    @Benchmark
    public float[] matvecQuantized() {
        xq.quantize(x, 0, cols);
        w.matvec(xq, y, 0);
        return y;
    }
}
