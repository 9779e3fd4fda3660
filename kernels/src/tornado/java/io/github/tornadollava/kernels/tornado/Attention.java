package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Scaled dot-product attention, one work-group per (query token, head): group
 * {@code g = t * nHeads + h}; launch with {@link Grids#perRow(int, int)} over
 * {@code tokens * nHeads} groups and a power-of-two local size {@code >= headDim}
 * (at most {@link KernelConfig#MAX_LOCAL}; {@code headDim <= }{@link KernelConfig#MAX_HEAD_DIM}).
 *
 * <p>Keys are consumed in chunks of one key per thread with an online (flash-style) softmax:
 * each thread scores its key against the query held in local memory, the chunk's maximum and
 * sum are folded in local memory, the running output is rescaled by
 * {@code exp(oldMax - newMax)}, and thread {@code d} accumulates output dimension {@code d}
 * from the chunk's probabilities (consecutive threads read consecutive value elements). So no
 * score buffer of context length is needed, neither in local nor in global memory, and any
 * sequence length works. The query is pre-multiplied by {@code scale}
 * ({@code 1/sqrt(headDim)} for both LLaMA and CLIP).
 *
 * <p>Outputs are {@code tokens x (nHeads * headDim)}, the layout the output projection reads.
 */
public final class Attention {

    private Attention() {
    }

    /**
     * Causal attention over the device-resident KV cache with grouped-query heads (query head
     * {@code h} reads KV head {@code h / (nHeads / nKvHeads)}). Query token {@code t} sits at
     * {@code positions[t]} and attends to cached positions {@code 0..positions[t]}, which must
     * already hold its own key/value (see {@link Rope#ropeAndCacheWrite}). Cache layout as
     * there: {@code cacheOffset + pos * nKvHeads * headDim + kvHead * headDim + d}.
     */
    public static void causalAttention(KernelContext ctx, FloatArray q, FloatArray keyCache, FloatArray valueCache, FloatArray out, IntArray positions, int cacheOffset, int nHeads, int nKvHeads, int headDim, float scale) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int group = ctx.groupIdx;
        int t = group / nHeads;
        int h = group % nHeads;
        int kvHead = h / (nHeads / nKvHeads);
        int kvDim = nKvHeads * headDim;
        int nKeys = positions.get(t) + 1;

        float[] query = ctx.allocateFloatLocalArray(KernelConfig.MAX_HEAD_DIM);
        float[] probs = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] folded = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        int qBase = (t * nHeads + h) * headDim;
        for (int d = lid; d < headDim; d += localSize) {
            query[d] = q.get(qBase + d) * scale;
        }
        ctx.localBarrier();

        float runningMax = -Float.MAX_VALUE;
        float runningSum = 0.0f;
        float acc = 0.0f;
        for (int start = 0; start < nKeys; start += localSize) {
            int j = start + lid;
            float score = -Float.MAX_VALUE;
            if (j < nKeys) {
                int kBase = cacheOffset + j * kvDim + kvHead * headDim;
                float dot = 0.0f;
                for (int d = 0; d < headDim; d++) {
                    dot += query[d] * keyCache.get(kBase + d);
                }
                score = dot;
            }
            folded[lid] = score;
            for (int stride = localSize / 2; stride > 0; stride >>= 1) {
                ctx.localBarrier();
                if (lid < stride) {
                    folded[lid] = TornadoMath.max(folded[lid], folded[lid + stride]);
                }
            }
            ctx.localBarrier();
            float newMax = TornadoMath.max(runningMax, folded[0]);
            ctx.localBarrier();

            float p = 0.0f;
            if (j < nKeys) {
                p = TornadoMath.exp(score - newMax);
            }
            probs[lid] = p;
            folded[lid] = p;
            for (int stride = localSize / 2; stride > 0; stride >>= 1) {
                ctx.localBarrier();
                if (lid < stride) {
                    folded[lid] += folded[lid + stride];
                }
            }
            ctx.localBarrier();
            float correction = TornadoMath.exp(runningMax - newMax);
            runningSum = runningSum * correction + folded[0];
            runningMax = newMax;

            int chunk = TornadoMath.min(localSize, nKeys - start);
            if (lid < headDim) {
                float chunkAcc = 0.0f;
                for (int jj = 0; jj < chunk; jj++) {
                    chunkAcc += probs[jj] * valueCache.get(cacheOffset + (start + jj) * kvDim + kvHead * headDim + lid);
                }
                acc = acc * correction + chunkAcc;
            }
            ctx.localBarrier();
        }
        if (lid < headDim) {
            out.set(qBase + lid, acc / runningSum);
        }
    }

    /**
     * Full (non-causal) attention for the vision tower: every one of the {@code tokens} queries
     * attends to all {@code tokens} keys of {@code k}/{@code v} ({@code tokens x nKvHeads * headDim};
     * CLIP has {@code nKvHeads == nHeads}).
     */
    public static void fullAttention(KernelContext ctx, FloatArray q, FloatArray k, FloatArray v, FloatArray out, int tokens, int nHeads, int nKvHeads, int headDim, float scale) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int group = ctx.groupIdx;
        int t = group / nHeads;
        int h = group % nHeads;
        int kvHead = h / (nHeads / nKvHeads);
        int kvDim = nKvHeads * headDim;
        int nKeys = tokens;

        float[] query = ctx.allocateFloatLocalArray(KernelConfig.MAX_HEAD_DIM);
        float[] probs = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] folded = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        int qBase = (t * nHeads + h) * headDim;
        for (int d = lid; d < headDim; d += localSize) {
            query[d] = q.get(qBase + d) * scale;
        }
        ctx.localBarrier();

        float runningMax = -Float.MAX_VALUE;
        float runningSum = 0.0f;
        float acc = 0.0f;
        for (int start = 0; start < nKeys; start += localSize) {
            int j = start + lid;
            float score = -Float.MAX_VALUE;
            if (j < nKeys) {
                int kBase = j * kvDim + kvHead * headDim;
                float dot = 0.0f;
                for (int d = 0; d < headDim; d++) {
                    dot += query[d] * k.get(kBase + d);
                }
                score = dot;
            }
            folded[lid] = score;
            for (int stride = localSize / 2; stride > 0; stride >>= 1) {
                ctx.localBarrier();
                if (lid < stride) {
                    folded[lid] = TornadoMath.max(folded[lid], folded[lid + stride]);
                }
            }
            ctx.localBarrier();
            float newMax = TornadoMath.max(runningMax, folded[0]);
            ctx.localBarrier();

            float p = 0.0f;
            if (j < nKeys) {
                p = TornadoMath.exp(score - newMax);
            }
            probs[lid] = p;
            folded[lid] = p;
            for (int stride = localSize / 2; stride > 0; stride >>= 1) {
                ctx.localBarrier();
                if (lid < stride) {
                    folded[lid] += folded[lid + stride];
                }
            }
            ctx.localBarrier();
            float correction = TornadoMath.exp(runningMax - newMax);
            runningSum = runningSum * correction + folded[0];
            runningMax = newMax;

            int chunk = TornadoMath.min(localSize, nKeys - start);
            if (lid < headDim) {
                float chunkAcc = 0.0f;
                for (int jj = 0; jj < chunk; jj++) {
                    chunkAcc += probs[jj] * v.get((start + jj) * kvDim + kvHead * headDim + lid);
                }
                acc = acc * correction + chunkAcc;
            }
            ctx.localBarrier();
        }
        if (lid < headDim) {
            out.set(qBase + lid, acc / runningSum);
        }
    }
}
