package io.github.tornadollava.kernels.cpu;

/**
 * The decoder's causal attention for a batch of consecutive prompt rows over the {@link KVCache}:
 * row {@code i}, at position {@code pos0 + i}, attends to cache positions {@code 0..pos0+i}.
 *
 * <p>Why blocked: {@link KVCache#attend} runs one query at a time, one lane-reduced dot per key
 * and scalar softmax, which made attention the second cost of a long prompt after the matmuls
 * (15% of a 1B 512-token prefill). Here a work item is one KV head and a block of
 * {@link FullAttention#QB} consecutive rows, and it runs {@link FullAttention}'s query-block
 * kernels (queries as vector lanes, register-blocked products, lane-wise softmax) for every query
 * head that shares the KV head. The causal mask only touches the block's last keys: key
 * {@code pos0+i0+j} is hidden from the lanes before {@code j}, whose scores become -infinity.
 *
 * <p>The cache keeps keys chunked off the heap; a worker copies its KV head's keys and values into
 * heap rows, packed {@code [position][headDim]} as the kernels read them. Items run in head order
 * and, within a head, in rising blocks, so each item only copies the positions its block adds.
 */
public final class CausalAttention {

    private static final int QB = FullAttention.QB;

    /** Per worker thread: keys, values [position][headDim], transposed queries, scores, transposed output. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][0]);

    private CausalAttention() {
    }

    /**
     * {@code out[row i][head h] = softmax(q[row i][head h] . k_t * scale) . v_t} over positions
     * {@code t <= pos0 + i}, for rows {@code 0..rows-1} of {@code q} and {@code out}, both
     * {@code nHeads * headDim} floats per row; query head {@code h} reads KV head {@code h / kvGroup}.
     * The rows' keys and values must already be in the cache.
     */
    public static void forward(KVCache cache, int layer, float[] q, float[] out, int rows, int pos0, int nHeads,
                               int kvGroup, float scale) {
        int d = cache.headDim();
        int stride = nHeads * d;
        if (nHeads % kvGroup != 0 || (long) rows * stride > Math.min(q.length, out.length)
                || pos0 < 0 || pos0 + rows > cache.capacity()) {
            throw new IllegalArgumentException("causal attention of " + rows + " rows at position " + pos0 + " with "
                    + nHeads + " heads of " + d + " in groups of " + kvGroup + " does not fit q/out of "
                    + Math.min(q.length, out.length) + " floats and a cache of " + cache.capacity());
        }
        int kvHeads = nHeads / kvGroup;
        int blocks = (rows + QB - 1) / QB;
        Parallel.forRange(kvHeads * blocks, 1, (start, end) -> {
            float[][] s = scratch(pos0 + rows, cache.capacity(), d);
            int copiedHead = -1;
            int copied = 0; // positions of copiedHead already in s[0] and s[1]
            for (int item = start; item < end; item++) {
                int kvHead = item / blocks;
                int i0 = (item % blocks) * QB;
                int nq = Math.min(QB, rows - i0);
                int keys = pos0 + i0 + nq;
                if (kvHead != copiedHead) {
                    copiedHead = kvHead;
                    copied = 0;
                }
                cache.copyKeys(layer, kvHead, copied, keys, s[0]);
                cache.copyValues(layer, kvHead, copied, keys, s[1]);
                copied = keys;
                for (int h = kvHead * kvGroup; h < (kvHead + 1) * kvGroup; h++) {
                    int col = h * d;
                    FullAttention.transposeQueries(q, stride, col, i0, nq, d, scale, s[2]);
                    FullAttention.scores(s[2], s[0], keys, d, s[3]);
                    mask(s[3], pos0 + i0, nq);
                    FullAttention.softmaxAndWeigh(s[3], keys, s[1], d, s[4]);
                    FullAttention.scatterOutput(s[4], nq, d, out, stride, col, i0);
                }
            }
        });
    }

    /** Hides key {@code first + j} (j = 1..nq-1) from the query lanes before {@code j}: they sit at earlier positions. */
    private static void mask(float[] p, int first, int nq) {
        for (int j = 1; j < nq; j++) {
            int row = (first + j) * QB;
            for (int lane = 0; lane < j; lane++) {
                p[row + lane] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    private static float[][] scratch(int keys, int capacity, int d) {
        float[][] s = SCRATCH.get();
        if (s[0].length < keys * d || s[3].length < keys * QB) {
            // grow geometrically up to the context: a long prompt arrives in batches at rising positions
            int room = Math.min(capacity, Math.max(keys, 2 * s[3].length / QB));
            s[0] = new float[room * d];
            s[1] = new float[room * d];
            s[3] = new float[room * QB];
        }
        if (s[2].length < d * QB) {
            s[2] = new float[d * QB];
            s[4] = new float[d * QB];
        }
        return s;
    }
}
