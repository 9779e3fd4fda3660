package io.github.tornadollava.bench;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
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
import io.github.tornadollava.kernels.format.WeightFormats;
import io.github.tornadollava.kernels.cpu.JitFlags;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Ways of widening F16 weights, each against the other where the product uses one of them (see
 * F16Format): {@code float16ToFloat} loops (C2 emits vcvtph2ps), which the product's decode into
 * floats for MatMul tiles uses ({@code decodeFormat}); the exact integer bit trick (shift exponent
 * and mantissa into float position, rebias by 2^112, blend infinities/NaNs, copy the sign: ten
 * vector ops per eight halves), which that decode used before ({@code decodeBitTrick},
 * {@code dotBitTrick}); and the product's dot ({@code dotFormat}), which widens in registers with
 * three ops (sign-extend, shift, mask; finite halves exact) and rebiases by 2^112 once per row,
 * also tried, with the rebias per vector, as a tile decode ({@code decodeShiftMask}). Rerun on a new JDK or CPU: the answer depends on what C2 vectorizes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", JitFlags.TRAP_LIMIT, JitFlags.RECOMPILATION_CUTOFF, "-Xmx2g"})
public class F16WideningBenchmark {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;

    @Param({"256", "4096"})
    public int n;

    private final WeightFormat format = WeightFormats.of(GGMLType.F16);
    private MemorySegment row;
    private float[] x;
    private float[] out;

    @Setup
    public void setup() {
        row = RandomWeights.matrix(GGMLType.F16, 1, n, 42);
        x = RandomWeights.vector(n, 7);
        out = new float[n];
    }

    @Benchmark
    public float[] decodeFormat() {
        format.dequantize(row, 0, out, 0, n);
        return out;
    }

    @Benchmark
    public float[] decodeBitTrick() {
        for (int i = 0; i < n; i += 8) {
            widen(row, 2L * i).intoArray(out, i);
        }
        return out;
    }

    @Benchmark
    public float[] decodeShiftMask() {
        for (int i = 0; i < n; i += 8) {
            ((IntVector) ShortVector.fromMemorySegment(S8, row, 2L * i, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f)
                    .intoArray(out, i);
        }
        return out;
    }

    @Benchmark
    public float dotFormat() {
        return format.dot(row, 0, x, 0, n);
    }

    @Benchmark
    public float dotBitTrick() {
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < n; i += 8) {
            acc = widen(row, 2L * i).fma(FloatVector.fromArray(F, x, i), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector widen(MemorySegment data, long at) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S8, data, at, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = h.and(0x7fff);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        return finite.blend(shifted.or(0x7f800000), magnitude.compare(VectorOperators.GE, 0x7c00))
                .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                .reinterpretAsFloats();
    }
}
