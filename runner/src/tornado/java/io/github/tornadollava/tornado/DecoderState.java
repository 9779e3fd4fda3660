package io.github.tornadollava.tornado;

import io.github.tornadollava.llama.LlamaConfig;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The arrays of a {@link TornadoDecoder}: the device-resident state that its prefill and decode
 * graphs share, and the small arrays that cross between host and device.
 *
 * <p>Activations are sized for a prefill batch of {@code maxBatch} rows; a decode step uses row
 * 0 of the same buffers, which is what lets both kinds of graph hand one set of buffers along.
 * The KV cache of all layers is one array per K and V, laid out
 * {@code [layer][position][kvHead][headDim]} as the attention kernels read it, with
 * {@code maxBatch} scratch positions after the {@code contextSize} real ones: the padding rows of
 * a short prefill batch write their keys there, where nothing reads them.
 */
final class DecoderState {

    final int maxBatch;
    final int contextSize;
    final int cachePositions;
    final int kvDim;

    // device-resident, handed from graph to graph
    final FloatArray x;      // residual stream, maxBatch x dim
    final FloatArray xb;     // normalised input of a sub-block, maxBatch x dim
    final FloatArray q;      // maxBatch x qDim
    final FloatArray k;      // maxBatch x kvDim
    final FloatArray v;      // maxBatch x kvDim
    final FloatArray att;    // attention output, maxBatch x qDim
    final FloatArray hb;     // FFN gate, then silu(gate) * up, maxBatch x hiddenDim
    final FloatArray hb2;    // FFN up, maxBatch x hiddenDim
    final IntArray positions;  // position of each batch row (row 0 during decode)
    final FloatArray keyCache;
    final FloatArray valueCache;

    // owned by single graphs
    final FloatArray noBias = new FloatArray(1);  // the mat-mul's bias argument when it adds none
    final DoubleArray ropeFrequencies;
    final FloatArray xLast;  // the row whose logits are computed

    // written by the projector of a multimodal plan, null otherwise (see DeviceImageStore)
    final FloatArray imageRows;

    // host <-> device
    final FloatArray prefillRows;   // up: the embedding rows of a prefill batch
    final IntArray rowSource;       // up, multimodal only: per batch row, -1 = prefillRows, else the row of imageRows
    final FloatArray decodeRow;     // up: the embedding row of a decode step
    final IntArray decodePosition;  // up: its position
    final IntArray lastRow;         // up: which row of x the logits are for
    final FloatArray logits;        // down

    DecoderState(LlamaConfig c, int contextSize, int maxBatch) {
        this(c, contextSize, maxBatch, null);
    }

    /** @param imageRows the image store's device array that the first prefill graph reads image rows from, or null */
    DecoderState(LlamaConfig c, int contextSize, int maxBatch, FloatArray imageRows) {
        this.maxBatch = maxBatch;
        this.contextSize = contextSize;
        this.cachePositions = contextSize + maxBatch;
        this.kvDim = c.kvDim();
        long cacheFloats = (long) c.nLayers() * cachePositions * kvDim;
        if (cacheFloats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a KV cache of " + c.nLayers() + " layers x " + cachePositions + " positions x " + kvDim
                    + " floats does not fit one device array; use a smaller context size");
        }
        x = new FloatArray(Math.multiplyExact(maxBatch, c.dim()));
        xb = new FloatArray(Math.multiplyExact(maxBatch, c.dim()));
        q = new FloatArray(Math.multiplyExact(maxBatch, c.qDim()));
        k = new FloatArray(Math.multiplyExact(maxBatch, kvDim));
        v = new FloatArray(Math.multiplyExact(maxBatch, kvDim));
        att = new FloatArray(Math.multiplyExact(maxBatch, c.qDim()));
        hb = new FloatArray(Math.multiplyExact(maxBatch, c.hiddenDim()));
        hb2 = new FloatArray(Math.multiplyExact(maxBatch, c.hiddenDim()));
        positions = new IntArray(maxBatch);
        keyCache = new FloatArray((int) cacheFloats);
        valueCache = new FloatArray((int) cacheFloats);
        ropeFrequencies = ropeFrequencies(c);
        xLast = new FloatArray(c.dim());
        prefillRows = new FloatArray(Math.multiplyExact(maxBatch, c.dim()));
        this.imageRows = imageRows;
        rowSource = new IntArray(maxBatch);
        rowSource.init(-1);
        decodeRow = new FloatArray(c.dim());
        decodePosition = new IntArray(1);
        lastRow = new IntArray(1);
        logits = new FloatArray(c.vocabSize());
    }

    /**
     * The buffers every graph of the decoder hands on to the next. The image rows are among them
     * although only the first prefill graph reads them: that graph takes them over from whichever
     * graph ran before it, so every graph that can precede it must hold them (see {@link DecoderGraphs}).
     */
    Object[] shared() {
        Object[] text = {x, xb, q, k, v, att, hb, hb2, positions, keyCache, valueCache};
        if (imageRows == null) {
            return text;
        }
        Object[] all = java.util.Arrays.copyOf(text, text.length + 1);
        all[text.length] = imageRows;
        return all;
    }

    /** Where layer {@code l}'s slab starts in the KV cache arrays. */
    int cacheOffset(int layer) {
        return layer * cachePositions * kvDim;
    }

    /** A cache position past the context for padding row {@code row} of a batch. */
    int scratchPosition(int row) {
        return contextSize + row;
    }

    /**
     * theta_i = base^(-2i/ropeDim) / ropeScale for the rotated pairs, 0 for the pairs of a
     * partial rotation that stay unrotated (a zero angle is the identity). Dividing theta by the
     * linear scale equals dividing the position, so the shared RoPE kernel covers both variants.
     */
    private static DoubleArray ropeFrequencies(LlamaConfig c) {
        DoubleArray f = new DoubleArray(c.headDim() / 2);
        for (int i = 0; i < c.ropeDim() / 2; i++) {
            f.set(i, Math.pow(c.ropeBase(), -2.0 * i / c.ropeDim()) / c.ropeScale());
        }
        return f;
    }
}
