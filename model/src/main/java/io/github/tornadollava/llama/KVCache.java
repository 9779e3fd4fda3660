package io.github.tornadollava.llama;

/**
 * Keys and values of every layer for the positions seen so far, in float32.
 *
 * <p>Layout per layer: {@code [kvHead][position][headDim]}, so the keys one attention head scans
 * are contiguous in memory and a new position is appended without moving anything.
 */
final class KVCache {

    final int capacity;
    final int nKvHeads;
    final int headDim;
    final float[][] keys;
    final float[][] values;
    private int position;

    KVCache(LlamaConfig c, int capacity) {
        this.capacity = capacity;
        this.nKvHeads = c.nKvHeads();
        this.headDim = c.headDim();
        long perLayer = (long) capacity * c.kvDim();
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV cache of " + capacity + " positions x " + c.kvDim()
                    + " floats per layer does not fit a Java array; use a smaller context size");
        }
        this.keys = new float[c.nLayers()][(int) perLayer];
        this.values = new float[c.nLayers()][(int) perLayer];
    }

    /** Offset of (kvHead, position) in a layer's key or value array. */
    int offset(int kvHead, int pos) {
        return (kvHead * capacity + pos) * headDim;
    }

    /** Stores the key and value rows (kvDim floats each, heads consecutive) of one position. */
    void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        float[] kc = keys[layer];
        float[] vc = values[layer];
        for (int h = 0; h < nKvHeads; h++) {
            System.arraycopy(k, kOff + h * headDim, kc, offset(h, pos), headDim);
            System.arraycopy(v, vOff + h * headDim, vc, offset(h, pos), headDim);
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
}
