package io.github.tornadollava.kernels.cpu;

import io.github.tornadollava.kernels.simd.Lanes;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Full (non-causal) multi-head attention {@code softmax(q k^T * scale) v} over all tokens, as the
 * ViT runs it: every query sees every key.
 *
 * <p>Why blocked: one dot per (query, key) pair ends every 64-float dot in a lane reduction and
 * runs the softmax's exp one value at a time; on CLIP-L that was a third of the encode. Here a
 * work item is one head and a block of {@link #QB} queries, and the queries are the vector lanes
 * (as the tokens are in {@link MatMul}): the scores of one key for all queries of the block are two
 * vectors, built with broadcast key values, so there is no reduction at all; the softmax runs
 * lane-wise (max, vector exp, sum) down the key axis; and {@code P V} broadcasts value elements
 * against probability vectors. Both products hold {@code 4 x 2} accumulators like MatMul's micro-kernel.
 * The scores are normalized at the end (output times 1/sum), which saves a pass over them.
 */
public final class FullAttention {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Queries per work item: two vectors of lanes. */
    static final int QB = 2 * L;

    /** Per worker thread: transposed queries, scores [key][QB], transposed output, one head's keys and values [key][headDim]. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][0]);

    private FullAttention() {
    }

    /**
     * Rows of {@code stride} floats, one per token; head {@code h} is columns
     * {@code [h*headDim, (h+1)*headDim)} of the q, k, v and out rows.
     *
     * @param n     tokens (queries = keys)
     * @param scale multiplies the scores before the softmax (1/sqrt(headDim))
     */
    public static void forward(float[] q, float[] k, float[] v, float[] out, int n, int heads, int headDim,
                               int stride, float scale) {
        if (heads * headDim > stride) {
            throw new IllegalArgumentException(heads + " heads of " + headDim + " do not fit rows of " + stride);
        }
        long need = (long) n * stride;
        if (q.length < need || k.length < need || v.length < need || out.length < need) {
            throw new IllegalArgumentException("attention over " + n + " rows of " + stride + " needs " + need + " floats per operand");
        }
        int blocks = (n + QB - 1) / QB;
        Parallel.forRange(heads * blocks, 1, (start, end) -> {
            float[][] s = SCRATCH.get();
            if (s[0].length < headDim * QB || s[1].length < n * QB || s[3].length < n * headDim) {
                s[0] = new float[headDim * QB];
                s[1] = new float[n * QB];
                s[2] = new float[headDim * QB];
                s[3] = new float[n * headDim];
                s[4] = new float[n * headDim];
            }
            int copied = -1;
            for (int item = start; item < end; item++) {
                int h = item / blocks;
                int i0 = (item % blocks) * QB;
                if (h != copied) {
                    // The scores and the weighted sum read one head's keys and values for every key. In
                    // the rows they are stride floats apart, 4 KiB for a 1024-wide ViT, so every key's
                    // line falls into the same L1 set (8 ways) and the same few L2 sets: they were
                    // fetched again for every query block. Packed, they are headDim floats apart.
                    for (int j = 0; j < n; j++) {
                        System.arraycopy(k, j * stride + h * headDim, s[4], j * headDim, headDim);
                        System.arraycopy(v, j * stride + h * headDim, s[3], j * headDim, headDim);
                    }
                    copied = h;
                }
                block(q, s[4], s[3], out, n, headDim, stride, scale, h * headDim, i0, Math.min(QB, n - i0), s[0], s[1], s[2]);
            }
        });
    }

    /**
     * Queries [i0, i0+nq) of the head whose columns start at {@code col} in the q and out rows;
     * {@code kHead} and {@code vHead} are its keys and values, {@code [key][d]}.
     */
    private static void block(float[] q, float[] kHead, float[] vHead, float[] out, int n, int d, int stride, float scale,
                              int col, int i0, int nq, float[] qT, float[] p, float[] oT) {
        transposeQueries(q, stride, col, i0, nq, d, scale, qT);
        scores(qT, kHead, n, d, p);
        softmaxAndWeigh(p, n, vHead, d, oT);
        scatterOutput(oT, nq, d, out, stride, col, i0);
    }

    /**
     * {@code qT[c][lane] = q[row i0+lane][col+c] * scale}, zero for the lanes past {@code nq}:
     * whole groups of 8 lanes through {@link Transpose8}, then scaled in place.
     */
    static void transposeQueries(float[] q, int stride, int col, int i0, int nq, int d, float scale, float[] qT) {
        int lanes = 0;
        if (Transpose8.NATIVE) {
            for (; lanes + 8 <= nq; lanes += 8) {
                Transpose8.rows(q, (i0 + lanes) * stride + col, stride, qT, lanes, QB, d);
                for (int c = 0; c < d; c++) {
                    FloatVector.fromArray(Transpose8.S8, qT, c * QB + lanes).mul(scale).intoArray(qT, c * QB + lanes);
                }
            }
        }
        for (int c = 0; c < d; c++) {
            for (int lane = lanes; lane < QB; lane++) {
                qT[c * QB + lane] = lane < nq ? q[(i0 + lane) * stride + col + c] * scale : 0f;
            }
        }
    }

    /** {@code p[j][lane] = kHead[j] . qT[..][lane]} for the keys {@code j < n}, one head's keys packed {@code [key][d]}. */
    static void scores(float[] qT, float[] kHead, int n, int d, float[] p) {
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            scores4(qT, kHead, j * d, d, d, p, j * QB);
        }
        for (; j < n; j++) {
            scores1(qT, kHead, j * d, d, p, j * QB);
        }
    }

    /**
     * Softmax of {@code p[0..n)[lane]} down the key axis, every query lane on its own (a score of
     * -infinity gets weight 0), then {@code oT[c][lane] = sum_j p[j][lane] * vHead[j][c]}, one head's
     * values packed {@code [key][d]}.
     */
    static void softmaxAndWeigh(float[] p, int n, float[] vHead, int d, float[] oT) {
        FloatVector max0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), max1 = max0;
        for (int j = 0; j < n; j++) {
            max0 = max0.max(FloatVector.fromArray(S, p, j * QB));
            max1 = max1.max(FloatVector.fromArray(S, p, j * QB + L));
        }
        for (int j = 0; j < n; j++) {
            FloatVector.fromArray(S, p, j * QB).sub(max0).intoArray(p, j * QB);
            FloatVector.fromArray(S, p, j * QB + L).sub(max1).intoArray(p, j * QB + L);
        }
        Lanes.exp(p, 0, n * QB);
        FloatVector sum0 = FloatVector.zero(S), sum1 = sum0;
        for (int j = 0; j < n; j++) {
            sum0 = sum0.add(FloatVector.fromArray(S, p, j * QB));
            sum1 = sum1.add(FloatVector.fromArray(S, p, j * QB + L));
        }
        FloatVector inv0 = FloatVector.broadcast(S, 1f).div(sum0);
        FloatVector inv1 = FloatVector.broadcast(S, 1f).div(sum1);

        int c = 0;
        for (; c + 4 <= d; c += 4) {
            weighted4(p, vHead, c, d, n, oT, c * QB, inv0, inv1);
        }
        for (; c < d; c++) {
            weighted1(p, vHead, c, d, n, oT, c * QB, inv0, inv1);
        }
    }

    /**
     * {@code out[row i0+lane][col+c] = oT[c][lane]} for the lanes below {@code nq}: blocks of 8
     * columns x 8 lanes through {@link Transpose8}, the rest one value at a time.
     */
    static void scatterOutput(float[] oT, int nq, int d, float[] out, int stride, int col, int i0) {
        int lanes = 0;
        int d8 = d & -8;
        if (Transpose8.NATIVE) {
            for (; lanes + 8 <= nq; lanes += 8) {
                for (int c = 0; c < d8; c += 8) {
                    Transpose8.rows(oT, c * QB + lanes, QB, out, (i0 + lanes) * stride + col + c, stride, 8);
                }
                for (int lane = lanes; lane < lanes + 8; lane++) {
                    for (int c = d8; c < d; c++) {
                        out[(i0 + lane) * stride + col + c] = oT[c * QB + lane];
                    }
                }
            }
        }
        for (int lane = lanes; lane < nq; lane++) {
            int o = (i0 + lane) * stride + col;
            for (int c = 0; c < d; c++) {
                out[o + c] = oT[c * QB + lane];
            }
        }
    }

    /** p[key j0..j0+3][QB] = sum_c k[key][c] * qT[c][QB]: four keys against the query block. */
    private static void scores4(float[] qT, float[] k, int k0, int stride, int d, float[] p, int p0) {
        int k1 = k0 + stride, k2 = k1 + stride, k3 = k2 + stride;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int c = 0; c < d; c++) {
            FloatVector x0 = FloatVector.fromArray(S, qT, c * QB);
            FloatVector x1 = FloatVector.fromArray(S, qT, c * QB + L);
            FloatVector b0 = FloatVector.broadcast(S, k[k0 + c]);
            FloatVector b1 = FloatVector.broadcast(S, k[k1 + c]);
            FloatVector b2 = FloatVector.broadcast(S, k[k2 + c]);
            FloatVector b3 = FloatVector.broadcast(S, k[k3 + c]);
            c00 = x0.fma(b0, c00);
            c01 = x1.fma(b0, c01);
            c10 = x0.fma(b1, c10);
            c11 = x1.fma(b1, c11);
            c20 = x0.fma(b2, c20);
            c21 = x1.fma(b2, c21);
            c30 = x0.fma(b3, c30);
            c31 = x1.fma(b3, c31);
        }
        c00.intoArray(p, p0);
        c01.intoArray(p, p0 + L);
        c10.intoArray(p, p0 + QB);
        c11.intoArray(p, p0 + QB + L);
        c20.intoArray(p, p0 + 2 * QB);
        c21.intoArray(p, p0 + 2 * QB + L);
        c30.intoArray(p, p0 + 3 * QB);
        c31.intoArray(p, p0 + 3 * QB + L);
    }

    private static void scores1(float[] qT, float[] k, int k0, int d, float[] p, int p0) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0;
        for (int c = 0; c < d; c++) {
            FloatVector b = FloatVector.broadcast(S, k[k0 + c]);
            c0 = FloatVector.fromArray(S, qT, c * QB).fma(b, c0);
            c1 = FloatVector.fromArray(S, qT, c * QB + L).fma(b, c1);
        }
        c0.intoArray(p, p0);
        c1.intoArray(p, p0 + L);
    }

    /** oT[c0..c0+3][QB] = inv * sum_j p[j][QB] * v[j][c]: four output columns for the query block. */
    private static void weighted4(float[] p, float[] v, int v0, int stride, int n, float[] oT, int o0,
                                  FloatVector inv0, FloatVector inv1) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int j = 0; j < n; j++) {
            FloatVector x0 = FloatVector.fromArray(S, p, j * QB);
            FloatVector x1 = FloatVector.fromArray(S, p, j * QB + L);
            int vo = j * stride + v0;
            FloatVector b0 = FloatVector.broadcast(S, v[vo]);
            FloatVector b1 = FloatVector.broadcast(S, v[vo + 1]);
            FloatVector b2 = FloatVector.broadcast(S, v[vo + 2]);
            FloatVector b3 = FloatVector.broadcast(S, v[vo + 3]);
            c00 = x0.fma(b0, c00);
            c01 = x1.fma(b0, c01);
            c10 = x0.fma(b1, c10);
            c11 = x1.fma(b1, c11);
            c20 = x0.fma(b2, c20);
            c21 = x1.fma(b2, c21);
            c30 = x0.fma(b3, c30);
            c31 = x1.fma(b3, c31);
        }
        c00.mul(inv0).intoArray(oT, o0);
        c01.mul(inv1).intoArray(oT, o0 + L);
        c10.mul(inv0).intoArray(oT, o0 + QB);
        c11.mul(inv1).intoArray(oT, o0 + QB + L);
        c20.mul(inv0).intoArray(oT, o0 + 2 * QB);
        c21.mul(inv1).intoArray(oT, o0 + 2 * QB + L);
        c30.mul(inv0).intoArray(oT, o0 + 3 * QB);
        c31.mul(inv1).intoArray(oT, o0 + 3 * QB + L);
    }

    private static void weighted1(float[] p, float[] v, int v0, int stride, int n, float[] oT, int o0,
                                  FloatVector inv0, FloatVector inv1) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0;
        for (int j = 0; j < n; j++) {
            FloatVector b = FloatVector.broadcast(S, v[j * stride + v0]);
            c0 = FloatVector.fromArray(S, p, j * QB).fma(b, c0);
            c1 = FloatVector.fromArray(S, p, j * QB + L).fma(b, c1);
        }
        c0.mul(inv0).intoArray(oT, o0);
        c1.mul(inv1).intoArray(oT, o0 + L);
    }
}
