package io.github.tornadollava.bench;

import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.github.tornadollava.kernels.cpu.CausalAttention;
import io.github.tornadollava.kernels.cpu.JitFlags;
import io.github.tornadollava.kernels.cpu.KVCache;
import io.github.tornadollava.kernels.cpu.Parallel;

/**
 * The decoder's attention for one layer over a filled KV cache, all cores:
 * {@code rows x heads x headDim / kvGroup}. {@code prompt} attends a batch of {@code rows} rows
 * from position 0 (the prefill: blocked, {@link CausalAttention}); {@code decode} attends one
 * row at position {@code rows - 1} ({@link KVCache#attend} per head). 512x32x64/8 is the 1B shape
 * at a 512-token prompt, 616x32x128/1 the 7B shape at an image prompt.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", JitFlags.TRAP_LIMIT, JitFlags.RECOMPILATION_CUTOFF, "-Xmx2g"})
public class CausalAttentionBenchmark {

    @Param({"512x32x64/8", "616x32x128/1", "64x32x64/8"})
    public String shape;

    private int rows;
    private int heads;
    private int headDim;
    private int kvGroup;
    private KVCache cache;
    private float[] q;
    private float[] out;
    private float[] scores;

    @Setup(Level.Trial)
    public void setup() {
        String[] s = shape.split("[x/]");
        rows = Integer.parseInt(s[0]);
        heads = Integer.parseInt(s[1]);
        headDim = Integer.parseInt(s[2]);
        kvGroup = Integer.parseInt(s[3]);
        int kvDim = heads / kvGroup * headDim;
        cache = new KVCache(1, heads / kvGroup, headDim, rows);
        float[] k = RandomWeights.vector(rows * kvDim, 1);
        float[] v = RandomWeights.vector(rows * kvDim, 2);
        for (int t = 0; t < rows; t++) {
            cache.store(0, t, k, t * kvDim, v, t * kvDim);
        }
        q = RandomWeights.vector(rows * heads * headDim, 3);
        out = new float[rows * heads * headDim];
        scores = new float[heads * rows];
    }

    @TearDown(Level.Trial)
    public void close() {
        cache.close();
    }

    @Benchmark
    public float[] prompt() {
        CausalAttention.forward(cache, 0, q, out, rows, 0, heads, kvGroup, (float) (1 / Math.sqrt(headDim)));
        return out;
    }

    @Benchmark
    public float[] decode() {
        float scale = (float) (1 / Math.sqrt(headDim));
        int last = (rows - 1) * heads * headDim;
        Parallel.forRange(heads, 1, (start, end) -> {
            for (int h = start; h < end; h++) {
                cache.attend(0, h / kvGroup, q, last + h * headDim, rows, scale, scores, h * rows, out);
            }
        });
        return out;
    }
}
