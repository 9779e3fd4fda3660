package io.github.tornadollava.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU decoder's keys and values of every layer for the positions seen so far, in float32, off
 * the Java heap, and the causal attention of one query over them (decode; a prompt's rows attend
 * in blocks, {@link CausalAttention}).
 *
 * <p>Why off-heap and in chunks: a 7B model at its 4096-position context needs 4.3 GB of cache,
 * which on the heap would force a heap that large (and GC zeroing of all of it up front). Here the
 * cache is native memory allocated {@link #CHUNK} positions at a time, when a position is first
 * stored, so memory grows with the context actually used and the heap stays small.
 *
 * <p>Layout per layer and chunk: {@code [kvHead][position in chunk][headDim]}, so the keys one
 * attention head scans are contiguous within a chunk and a new position is appended without
 * moving anything.
 */
public final class KVCache implements AutoCloseable {

    /** Positions per lazily allocated chunk. */
    public static final int CHUNK = 256;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Value columns whose weighted sum {@link #weightedSum} keeps in registers: eight vectors. */
    private static final int GROUP = 8 * S.length();

    private final int capacity;
    private final int nKvHeads;
    private final int headDim;
    private final int kvDim;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[][] keys;
    private final MemorySegment[][] values;
    private int position;

    /** Room for {@code capacity} positions of {@code nKvHeads} heads of {@code headDim} per layer; nothing allocated yet. */
    public KVCache(int nLayers, int nKvHeads, int headDim, int capacity) {
        this.capacity = capacity;
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.kvDim = nKvHeads * headDim;
        int chunks = (capacity + CHUNK - 1) / CHUNK;
        this.keys = new MemorySegment[nLayers][chunks];
        this.values = new MemorySegment[nLayers][chunks];
    }

    public int capacity() {
        return capacity;
    }

    /** Byte offset of (kvHead, position within its chunk) in a chunk. */
    private long offset(int kvHead, int posInChunk) {
        return ((long) kvHead * CHUNK + posInChunk) * headDim * Float.BYTES;
    }

    /** Stores the key and value rows (kvDim floats each, heads consecutive) of one position. */
    public void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        int chunk = pos / CHUNK;
        if (keys[layer][chunk] == null) {
            keys[layer][chunk] = allocateChunk(pos);
            values[layer][chunk] = allocateChunk(pos);
        }
        MemorySegment kc = keys[layer][chunk];
        MemorySegment vc = values[layer][chunk];
        int p = pos % CHUNK;
        for (int h = 0; h < nKvHeads; h++) {
            MemorySegment.copy(k, kOff + h * headDim, kc, ValueLayout.JAVA_FLOAT, offset(h, p), headDim);
            MemorySegment.copy(v, vOff + h * headDim, vc, ValueLayout.JAVA_FLOAT, offset(h, p), headDim);
        }
    }

    private MemorySegment allocateChunk(int pos) {
        long bytes = (long) CHUNK * kvDim * Float.BYTES;
        try {
            return arena.allocate(bytes, 64);
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException("KV cache: no memory for " + bytes + " more bytes at position " + pos
                    + " of " + capacity + "; use a smaller context size", e);
        }
    }

    /**
     * Copies the keys of one layer and KV head at positions {@code from..to-1} into rows
     * {@code from..to-1} of {@code dst}, {@code headDim} floats each.
     */
    void copyKeys(int layer, int kvHead, int from, int to, float[] dst) {
        copyHead(keys[layer], kvHead, from, to, dst);
    }

    /** As {@link #copyKeys}, for the values. */
    void copyValues(int layer, int kvHead, int from, int to, float[] dst) {
        copyHead(values[layer], kvHead, from, to, dst);
    }

    /** One copy per chunk: within a chunk a head's positions are contiguous. */
    private void copyHead(MemorySegment[] chunks, int kvHead, int from, int to, float[] dst) {
        for (int t = from; t < to; ) {
            int n = Math.min(to, (t / CHUNK + 1) * CHUNK) - t;
            MemorySegment.copy(chunks[t / CHUNK], ValueLayout.JAVA_FLOAT, offset(kvHead, t % CHUNK), dst, t * headDim,
                    n * headDim);
            t += n;
        }
    }

    int headDim() {
        return headDim;
    }

    /**
     * {@code out[qo..qo+headDim) = softmax(q . k_t * scale) . v} over cache positions
     * {@code 0..len-1} of one layer and KV head, for the query {@code q[qo..qo+headDim)};
     * {@code scores[s..s+len)} is scratch. Scans the cache chunk by chunk, contiguous keys within each.
     */
    public void attend(int layer, int kvHead, float[] q, int qo, int len, float scale, float[] scores, int s, float[] out) {
        long base = offset(kvHead, 0);
        long rowBytes = (long) headDim * Float.BYTES;
        for (int t0 = 0; t0 < len; t0 += CHUNK) {
            MemorySegment kc = keys[layer][t0 / CHUNK];
            int n = Math.min(CHUNK, len - t0);
            int t = 0;
            if (Transpose8.NATIVE && headDim % 8 == 0) {
                for (; t + 8 <= n; t += 8) {
                    scores8(q, qo, kc, base + t * rowBytes, rowBytes, headDim, scale, scores, s + t0 + t);
                }
            }
            for (; t < n; t++) {
                scores[s + t0 + t] = dot(q, qo, kc, base + t * rowBytes, headDim) * scale;
            }
        }
        Softmax.softmax(scores, s, len);
        int c = 0;
        for (; c + GROUP <= headDim; c += GROUP) {
            weightedSum(layer, base + 4L * c, rowBytes, scores, s, len, out, qo + c);
        }
        if (c < headDim) {
            Arrays.fill(out, qo + c, qo + headDim, 0f);
            for (int t0 = 0; t0 < len; t0 += CHUNK) {
                MemorySegment vc = values[layer][t0 / CHUNK];
                int n = Math.min(CHUNK, len - t0);
                for (int t = 0; t < n; t++) {
                    axpy(scores[s + t0 + t], vc, base + t * rowBytes + 4L * c, out, qo + c, headDim - c);
                }
            }
        }
    }

    /**
     * {@code out[o .. o+GROUP) = sum_t p[s+t] * v_t[GROUP columns from byte base]} over positions
     * {@code 0..len-1}. The eight output vectors stay in registers across all positions: adding each
     * value row into {@code out} in memory instead chained every position's update to the previous
     * one's store, which made attention wait on store forwarding. Measured, attend
     * alone, paired in one JVM, same results to the bit: 1.31x at 512 positions of head size 64
     * (the 1B shape), 1.36x at 64; 1.05x at head size 128 (two groups, the scores read twice).
     */
    private void weightedSum(int layer, long base, long rowBytes, float[] p, int s, int len, float[] out, int o) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int vb = Float.BYTES * S.length(); // bytes per vector
        for (int t0 = 0; t0 < len; t0 += CHUNK) {
            MemorySegment vc = values[layer][t0 / CHUNK];
            int n = Math.min(CHUNK, len - t0);
            for (int t = 0; t < n; t++) {
                FloatVector w = FloatVector.broadcast(S, p[s + t0 + t]);
                long v = base + t * rowBytes;
                a0 = FloatVector.fromMemorySegment(S, vc, v, ByteOrder.nativeOrder()).fma(w, a0);
                a1 = FloatVector.fromMemorySegment(S, vc, v + vb, ByteOrder.nativeOrder()).fma(w, a1);
                a2 = FloatVector.fromMemorySegment(S, vc, v + 2 * vb, ByteOrder.nativeOrder()).fma(w, a2);
                a3 = FloatVector.fromMemorySegment(S, vc, v + 3 * vb, ByteOrder.nativeOrder()).fma(w, a3);
                a4 = FloatVector.fromMemorySegment(S, vc, v + 4 * vb, ByteOrder.nativeOrder()).fma(w, a4);
                a5 = FloatVector.fromMemorySegment(S, vc, v + 5 * vb, ByteOrder.nativeOrder()).fma(w, a5);
                a6 = FloatVector.fromMemorySegment(S, vc, v + 6 * vb, ByteOrder.nativeOrder()).fma(w, a6);
                a7 = FloatVector.fromMemorySegment(S, vc, v + 7 * vb, ByteOrder.nativeOrder()).fma(w, a7);
            }
        }
        int lanes = S.length();
        a0.intoArray(out, o);
        a1.intoArray(out, o + lanes);
        a2.intoArray(out, o + 2 * lanes);
        a3.intoArray(out, o + 3 * lanes);
        a4.intoArray(out, o + 4 * lanes);
        a5.intoArray(out, o + 5 * lanes);
        a6.intoArray(out, o + 6 * lanes);
        a7.intoArray(out, o + 7 * lanes);
    }

    /**
     * {@code p[o + j] = (q . k_j) * scale} for the eight keys {@code j < 8} whose rows start
     * {@code rowBytes} apart from byte {@code kb}: eight accumulators, one per key, then one
     * butterfly that adds each accumulator's lanes into lane j of a single vector (three rounds
     * of blend, lane swap and add, as {@link Transpose8} transposes). A lane reduction per key
     * took more vector operations than the dot itself at head size 64; and this order is fixed
     * whichever JIT tier runs it. Measured, attend on one thread, paired in one JVM (two runs):
     * 1.39-1.49x at 512 positions of head size 64 (the 1B shape), 1.22-1.46x at 64, 1.03x at 616
     * of head size 128 (the 7B shape, where reading 20 MB of cache per layer is the bound).
     */
    private static void scores8(float[] q, int qo, MemorySegment k, long kb, long rowBytes, int headDim, float scale,
                                float[] p, int o) {
        VectorSpecies<Float> s8 = Transpose8.S8;
        FloatVector a0 = FloatVector.zero(s8), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int c = 0; c < headDim; c += 8) {
            FloatVector qv = FloatVector.fromArray(s8, q, qo + c);
            long at = kb + 4L * c;
            a0 = FloatVector.fromMemorySegment(s8, k, at, ByteOrder.nativeOrder()).fma(qv, a0);
            a1 = FloatVector.fromMemorySegment(s8, k, at + rowBytes, ByteOrder.nativeOrder()).fma(qv, a1);
            a2 = FloatVector.fromMemorySegment(s8, k, at + 2 * rowBytes, ByteOrder.nativeOrder()).fma(qv, a2);
            a3 = FloatVector.fromMemorySegment(s8, k, at + 3 * rowBytes, ByteOrder.nativeOrder()).fma(qv, a3);
            a4 = FloatVector.fromMemorySegment(s8, k, at + 4 * rowBytes, ByteOrder.nativeOrder()).fma(qv, a4);
            a5 = FloatVector.fromMemorySegment(s8, k, at + 5 * rowBytes, ByteOrder.nativeOrder()).fma(qv, a5);
            a6 = FloatVector.fromMemorySegment(s8, k, at + 6 * rowBytes, ByteOrder.nativeOrder()).fma(qv, a6);
            a7 = FloatVector.fromMemorySegment(s8, k, at + 7 * rowBytes, ByteOrder.nativeOrder()).fma(qv, a7);
        }
        // round 1: even lanes hold pair sums of a0 (a2, ...), odd lanes of a1 (a3, ...)
        FloatVector p01 = a0.blend(a1, Transpose8.ODD1).add(a1.blend(a0, Transpose8.ODD1).rearrange(Transpose8.SWAP1));
        FloatVector p23 = a2.blend(a3, Transpose8.ODD1).add(a3.blend(a2, Transpose8.ODD1).rearrange(Transpose8.SWAP1));
        FloatVector p45 = a4.blend(a5, Transpose8.ODD1).add(a5.blend(a4, Transpose8.ODD1).rearrange(Transpose8.SWAP1));
        FloatVector p67 = a6.blend(a7, Transpose8.ODD1).add(a7.blend(a6, Transpose8.ODD1).rearrange(Transpose8.SWAP1));
        // round 2: lane j (mod 4) holds the sum of four lanes of a_j
        FloatVector p03 = p01.blend(p23, Transpose8.ODD2).add(p23.blend(p01, Transpose8.ODD2).rearrange(Transpose8.SWAP2));
        FloatVector p47 = p45.blend(p67, Transpose8.ODD2).add(p67.blend(p45, Transpose8.ODD2).rearrange(Transpose8.SWAP2));
        // round 3: lane j holds all of a_j
        p03.blend(p47, Transpose8.ODD4).add(p47.blend(p03, Transpose8.ODD4).rearrange(Transpose8.SWAP4)).mul(scale)
                .intoArray(p, o);
    }

    /** Dot of {@code a[ao..]} with {@code n} native-order floats of {@code b} from byte {@code bo}. */
    private static float dot(float[] a, int ao, MemorySegment b, long bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromMemorySegment(S, b, bo + 4L * i, ByteOrder.nativeOrder()), acc);
        }
        float sum = 0;
        for (int l = 0; l < S.length(); l++) {
            sum += acc.lane(l); // in lane order in every JIT tier (reduceLanes is not: see Lanes)
        }
        for (; i < n; i++) {
            sum += a[ao + i] * b.get(ValueLayout.JAVA_FLOAT, bo + 4L * i);
        }
        return sum;
    }

    /** {@code y[yo..] += a * x} over {@code n} native-order floats of {@code x} from byte {@code xo}. */
    private static void axpy(float a, MemorySegment x, long xo, float[] y, int yo, int n) {
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

    public int position() {
        return position;
    }

    public void setPosition(int position) {
        if (position < 0 || position > capacity) {
            throw new IllegalArgumentException("KV position " + position + " outside 0.." + capacity);
        }
        this.position = position;
    }

    /** Frees the native memory (once; later calls do nothing); the cache must not be used afterwards. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
