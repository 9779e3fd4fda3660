package io.github.tornadollava.llama;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The few float-array kernels the attention and residual stream need, on the Vector API. */
final class Vectors {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Vectors() {
    }

    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    /** Dot of {@code a[ao..]} with {@code n} native-order floats of {@code b} from byte {@code bo} (the KV cache). */
    static float dot(float[] a, int ao, MemorySegment b, long bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromMemorySegment(S, b, bo + 4L * i, ByteOrder.nativeOrder()), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[ao + i] * b.get(ValueLayout.JAVA_FLOAT, bo + 4L * i);
        }
        return sum;
    }

    /** {@code y[yo..] += a * x} over {@code n} native-order floats of {@code x} from byte {@code xo}. */
    static void axpy(float a, MemorySegment x, long xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            FloatVector.fromMemorySegment(S, x, xo + 4L * i, ByteOrder.nativeOrder()).fma(va, FloatVector.fromArray(S, y, yo + i))
                    .intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x.get(ValueLayout.JAVA_FLOAT, xo + 4L * i);
        }
    }

    /** {@code y[yo..] += a * x[xo..]} over {@code n} values. */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    /** {@code y[0..n) += x[0..n)}. */
    static void add(float[] y, float[] x, int n) {
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            FloatVector.fromArray(S, y, i).add(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        for (; i < n; i++) {
            y[i] += x[i];
        }
    }
}
