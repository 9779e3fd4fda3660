package io.github.tornadollava.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The CPU matmul on the shapes the model actually runs, all cores. The {@code gflop} counter of the
 * result is GFLOP/s (2 x tokens x rows x cols per call); the primary score is calls per second.
 * <ul>
 * <li>577 x 1024 x 1024: ViT attention projections (576 patches + class token, CLIP-L width)</li>
 * <li>577 x 4096 x 1024 and 577 x 1024 x 4096: ViT MLP up and down</li>
 * <li>64 x 2048 x 2048: a short decoder prefill chunk</li>
 * <li>616 x 4096 x 11008: LLaMA-7B ffn_down over an image prompt (576 image tokens + text)</li>
 * <li>64 x 32000 x 2048: an output head over a prefill chunk</li>
 * </ul>
 * Run one shape: {@code java -jar benchmarks/target/benchmarks.jar MatMulBench.matmul -p shape=577x1024x1024 -p type=F32}.
 * {@link MatMulBenchmark} covers every format on one prefill shape.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", JitFlags.TRAP_LIMIT, JitFlags.RECOMPILATION_CUTOFF, "-Xmx4g"})
public class MatMulBench {

    /** tokens x rows x cols: out is tokens x rows, the weight rows x cols. */
    @Param({"577x1024x1024", "577x4096x1024", "577x1024x4096", "64x2048x2048", "616x4096x11008", "64x32000x2048"})
    public String shape;

    @Param({"F32", "F16", "Q8_0"})
    public String type;

    private int tokens;
    private double gflopPerCall;
    private WeightMatrix w;
    private float[] x;
    private float[] out;

    /** Counts the floating-point work done; JMH reports it per second, i.e. as GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    @Setup
    public void setup() {
        String[] dims = shape.split("x");
        tokens = Integer.parseInt(dims[0]);
        int rows = Integer.parseInt(dims[1]);
        int cols = Integer.parseInt(dims[2]);
        GGMLType t = GGMLType.valueOf(type);
        w = new WeightMatrix(shape, t, RandomWeights.matrix(t, rows, cols, 42), rows, cols);
        x = RandomWeights.vector(tokens * cols, 7);
        out = new float[tokens * rows];
        gflopPerCall = 2.0 * tokens * rows * cols * 1e-9;
    }

    @Benchmark
    public float[] matmul(Flops flops) {
        w.matmul(x, tokens, out);
        flops.gflop += gflopPerCall;
        return out;
    }
}
