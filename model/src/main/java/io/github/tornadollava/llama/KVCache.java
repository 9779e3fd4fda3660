package io.github.tornadollava.llama;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Keys and values of every layer for the positions seen so far, in float32, off the Java heap.
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
final class KVCache implements AutoCloseable {

    /** Positions per lazily allocated chunk. */
    static final int CHUNK = 256;

    final int capacity;
    final int nKvHeads;
    final int headDim;
    private final int kvDim;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[][] keys;
    private final MemorySegment[][] values;
    private int position;

    KVCache(LlamaConfig c, int capacity) {
        this.capacity = capacity;
        this.nKvHeads = c.nKvHeads();
        this.headDim = c.headDim();
        this.kvDim = c.kvDim();
        int chunks = (capacity + CHUNK - 1) / CHUNK;
        this.keys = new MemorySegment[c.nLayers()][chunks];
        this.values = new MemorySegment[c.nLayers()][chunks];
    }

    /** The keys of positions [chunk * CHUNK, (chunk + 1) * CHUNK) of a layer; the chunk must hold a stored position. */
    MemorySegment keys(int layer, int chunk) {
        return keys[layer][chunk];
    }

    MemorySegment values(int layer, int chunk) {
        return values[layer][chunk];
    }

    /** Byte offset of (kvHead, position within its chunk) in a chunk. */
    long offset(int kvHead, int posInChunk) {
        return ((long) kvHead * CHUNK + posInChunk) * headDim * Float.BYTES;
    }

    /** Stores the key and value rows (kvDim floats each, heads consecutive) of one position. */
    void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
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

    int position() {
        return position;
    }

    void setPosition(int position) {
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
