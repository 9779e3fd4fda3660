package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Rotary position embedding, llama.cpp {@code LLAMA_ROPE_TYPE_NORM}: each head's vector is
 * rotated in ADJACENT pairs {@code (2i, 2i+1)} by the angle {@code pos * theta_i},
 * {@code theta_i = base^(-2i/headDim)}:
 * {@code x'[2i] = x[2i] cos - x[2i+1] sin}, {@code x'[2i+1] = x[2i] sin + x[2i+1] cos}.
 *
 * <p>Activations are {@code tokens x (heads * headDim)}; token {@code t}'s position is
 * {@code positions[t]} (device data, so one compiled kernel serves every step). One thread per
 * pair; launch with {@link Grids#elementwise(int, int)} over {@code tokens * nHeads * headDim / 2}.
 *
 * <p>Why doubles: at position 4000 the angle of pair 0 is 4000 rad, where a float product alone
 * is off by ~2e-4 rad. {@link #inverseFrequencies(int, double)} gives the {@code theta_i} in
 * double, the product is formed in double and reduced to {@code [-pi, pi)} there, and only the
 * reduced angle goes through float {@code cos}/{@code sin} (accurate on that range on every
 * backend, including PTX's approximate ones).
 */
public final class Rope {

    private static final double TWO_PI = 2.0 * Math.PI;

    private Rope() {
    }

    /** {@code theta_i = base^(-2i/headDim)} for {@code i < headDim / 2}, computed on the host. */
    public static DoubleArray inverseFrequencies(int headDim, double base) {
        DoubleArray freqs = new DoubleArray(headDim / 2);
        for (int i = 0; i < headDim / 2; i++) {
            freqs.set(i, Math.pow(base, -2.0 * i / headDim));
        }
        return freqs;
    }

    private static float reducedAngle(int position, double theta) {
        double angle = position * theta;
        double turns = TornadoMath.floor((angle + Math.PI) / TWO_PI);
        return (float) (angle - turns * TWO_PI);
    }

    /** Rotates {@code x} ({@code tokens x nHeads * headDim}) in place. */
    public static void rope(KernelContext ctx, FloatArray x, IntArray positions, DoubleArray invFreq, int tokens, int nHeads, int headDim) {
        int gid = ctx.globalIdx;
        int pairs = headDim / 2;
        if (gid < tokens * nHeads * pairs) {
            int t = gid / (nHeads * pairs);
            int i = gid % pairs;
            int index = (gid / pairs) * headDim + 2 * i;
            float angle = reducedAngle(positions.get(t), invFreq.get(i));
            float cos = TornadoMath.cos(angle);
            float sin = TornadoMath.sin(angle);
            float x0 = x.get(index);
            float x1 = x.get(index + 1);
            x.set(index, x0 * cos - x1 * sin);
            x.set(index + 1, x0 * sin + x1 * cos);
        }
    }

    /**
     * Fused RoPE and KV-cache append: rotates {@code q} ({@code tokens x nHeads * headDim}) in
     * place, rotates {@code k} ({@code tokens x nKvHeads * headDim}) and stores it, with {@code v}
     * unchanged, at the token's position in the caches. {@code k} itself is left unrotated.
     *
     * <p>Cache layout (both caches): {@code cacheOffset + pos * nKvHeads * headDim + h * headDim + d},
     * i.e. {@code [layer][position][kvHead][d]} with {@code cacheOffset = layer * maxSeq * kvDim}.
     * One thread per query pair ({@code tokens * nHeads * headDim / 2}); the threads of the first
     * {@code nKvHeads} heads also handle the matching key/value pair, which saves two launches
     * and a round trip of {@code k} through global memory per layer.
     */
    public static void ropeAndCacheWrite(KernelContext ctx, FloatArray q, FloatArray k, FloatArray v, FloatArray keyCache, FloatArray valueCache, IntArray positions,
            DoubleArray invFreq, int tokens, int nHeads, int nKvHeads, int headDim, int cacheOffset) {
        int gid = ctx.globalIdx;
        int pairs = headDim / 2;
        if (gid < tokens * nHeads * pairs) {
            int t = gid / (nHeads * pairs);
            int h = (gid / pairs) % nHeads;
            int i = gid % pairs;
            int position = positions.get(t);
            float angle = reducedAngle(position, invFreq.get(i));
            float cos = TornadoMath.cos(angle);
            float sin = TornadoMath.sin(angle);

            int qIndex = (t * nHeads + h) * headDim + 2 * i;
            float q0 = q.get(qIndex);
            float q1 = q.get(qIndex + 1);
            q.set(qIndex, q0 * cos - q1 * sin);
            q.set(qIndex + 1, q0 * sin + q1 * cos);

            if (h < nKvHeads) {
                int kvDim = nKvHeads * headDim;
                int kIndex = t * kvDim + h * headDim + 2 * i;
                int cacheIndex = cacheOffset + position * kvDim + h * headDim + 2 * i;
                float k0 = k.get(kIndex);
                float k1 = k.get(kIndex + 1);
                keyCache.set(cacheIndex, k0 * cos - k1 * sin);
                keyCache.set(cacheIndex + 1, k0 * sin + k1 * cos);
                valueCache.set(cacheIndex, v.get(kIndex));
                valueCache.set(cacheIndex + 1, v.get(kIndex + 1));
            }
        }
    }
}
