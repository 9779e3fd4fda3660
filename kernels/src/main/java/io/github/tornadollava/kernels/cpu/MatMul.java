package io.github.tornadollava.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Matrix-matrix product of a {@link WeightMatrix} with a batch of activation rows. */
final class MatMul {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Weight rows decoded together: their floats stay in L2 while every token passes over them. */
    private static final int ROW_TILE = 16;

    private MatMul() {
    }

    static void matmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        int tiles = (rows + ROW_TILE - 1) / ROW_TILE;
        Parallel.forRange(tiles, 1, (start, end) -> {
            float[] tile = new float[ROW_TILE * cols];
            for (int t = start; t < end; t++) {
                int r0 = t * ROW_TILE;
                int nr = Math.min(ROW_TILE, rows - r0);
                for (int i = 0; i < nr; i++) {
                    w.dequantizeRow(r0 + i, tile, i * cols);
                }
                for (int tok = 0; tok < nTokens; tok++) {
                    int xo = tok * cols;
                    int oo = tok * rows + r0;
                    for (int i = 0; i < nr; i++) {
                        out[oo + i] = dot(tile, i * cols, x, xo, cols);
                    }
                }
            }
        });
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
}
