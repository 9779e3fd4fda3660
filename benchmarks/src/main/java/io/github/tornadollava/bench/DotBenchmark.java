package io.github.tornadollava.bench;

import java.lang.foreign.MemorySegment;
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

import io.github.tornadollava.kernels.format.GGMLType;
import io.github.tornadollava.kernels.format.WeightFormat;
import io.github.tornadollava.kernels.format.QuantizedActivations;
import io.github.tornadollava.kernels.format.WeightFormats;
import io.github.tornadollava.kernels.cpu.JitFlags;

/**
 * One {@link WeightFormat#dot} over a row that stays in cache: the format's decode + FMA
 * throughput on one core. GFLOP/s = 2 * n / (ns/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", JitFlags.TRAP_LIMIT, JitFlags.RECOMPILATION_CUTOFF, "-Xmx2g"})
public class DotBenchmark {

    @Param({"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    @Param({"4096"})
    public int n;

    private WeightFormat format;
    private MemorySegment row;
    private float[] x;
    private QuantizedActivations xq;

    @Setup
    public void setup() {
        GGMLType t = GGMLType.valueOf(type);
        format = WeightFormats.of(t);
        row = RandomWeights.matrix(t, 1, n, 42);
        x = RandomWeights.vector(n, 7);
        xq = new QuantizedActivations(n, true);
        xq.quantize(x, 0, n);
    }

    @Benchmark
    public float dot() {
        return format.dot(row, 0, x, 0, n);
    }

    /** The same row times int8-quantized activations (an integer kernel where the format has one). */
    @Benchmark
    public float dotQuantized() {
        return format.dot(row, 0, xq, n);
    }
}
