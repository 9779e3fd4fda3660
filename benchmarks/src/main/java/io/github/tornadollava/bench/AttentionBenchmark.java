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

import io.github.tornadollava.kernels.cpu.FullAttention;
import io.github.tornadollava.kernels.cpu.JitFlags;

/**
 * The ViT's full attention for one block, all cores: {@code tokens x heads x headDim}. CLIP-L/14-336
 * is 577 x 16 x 64 (2 x 2 x 577^2 x 1024 = 1.36 GFLOP per call); CLIP-B/16-224 is 197 x 12 x 64.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", JitFlags.TRAP_LIMIT, JitFlags.RECOMPILATION_CUTOFF, "-Xmx2g"})
public class AttentionBenchmark {

    @Param({"577x16x64", "197x12x64"})
    public String shape;

    private int n;
    private int heads;
    private int headDim;
    private float[] q;
    private float[] k;
    private float[] v;
    private float[] out;

    @Setup
    public void setup() {
        String[] d = shape.split("x");
        n = Integer.parseInt(d[0]);
        heads = Integer.parseInt(d[1]);
        headDim = Integer.parseInt(d[2]);
        int size = n * heads * headDim;
        q = RandomWeights.vector(size, 1);
        k = RandomWeights.vector(size, 2);
        v = RandomWeights.vector(size, 3);
        out = new float[size];
    }

    @Benchmark
    public float[] attention() {
        FullAttention.forward(q, k, v, out, n, heads, headDim, heads * headDim, (float) (1 / Math.sqrt(headDim)));
        return out;
    }
}
