package io.github.tornadollava.llama;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The residual add of a prefill batch, on the Vector API. */
final class Vectors {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Vectors() {
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
