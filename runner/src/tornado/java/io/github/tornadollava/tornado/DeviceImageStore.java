package io.github.tornadollava.tornado;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The image embeddings of a multimodal plan ({@link TornadoMultimodal}) that wait on the device
 * for the decoder: {@code slots} images of {@code rowsPerImage} rows of {@code width} floats, in
 * one device array that the projector graph writes (into slot {@link #slot}) and the first
 * prefill graph reads rows from.
 *
 * <p>Slots are reused in turn. There are as many as whole images fit in the context, so every
 * image of one prompt keeps its slot until the prompt is prefilled; a handle whose slot was
 * taken by a later image since is refused ({@link #firstRow}) rather than read stale.
 */
final class DeviceImageStore {

    final FloatArray rows;  // device: slots x rowsPerImage x width
    final IntArray slot;    // up: the slot the projector writes next
    final int slots;
    final int rowsPerImage;
    final int width;
    private final long[] serials;
    private final String location;
    private long encoded;

    DeviceImageStore(int contextSize, int rowsPerImage, int width, String location) {
        if (rowsPerImage < 1 || width < 1) {
            throw new IllegalArgumentException("image rows of " + rowsPerImage + " x " + width);
        }
        this.slots = Math.max(1, contextSize / rowsPerImage);
        long floats = (long) slots * rowsPerImage * width;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(slots + " images of " + rowsPerImage + " x " + width + " embeddings do not fit one device array;"
                    + " use a smaller context size");
        }
        this.rows = new FloatArray((int) floats);
        this.slot = new IntArray(1);
        this.rowsPerImage = rowsPerImage;
        this.width = width;
        this.serials = new long[slots];
        this.location = location;
    }

    /** Picks the slot for the next image (the projector's next run writes it); the image it held is gone from then on. */
    int beginImage() {
        int s = (int) (encoded % slots);
        serials[s] = ++encoded;
        slot.set(0, s);
        return s;
    }

    /** The handle of the image just written to slot {@code s} by {@link #beginImage}. */
    DeviceImageEmbeddings handle(int s) {
        return new DeviceImageEmbeddings(this, s, serials[s], rowsPerImage, width);
    }

    /**
     * The row of {@link #rows} where image {@code e} starts.
     *
     * @throws IllegalArgumentException for embeddings of another store, or whose slot a later image took
     */
    int firstRow(DeviceImageEmbeddings e) {
        if (e.store() != this) {
            throw new IllegalArgumentException("image embeddings in " + e.location() + " cannot be read by the decoder of " + location
                    + ": feed them to the language model loaded together with their vision encoder");
        }
        if (serials[e.slot()] != e.serial()) {
            throw new IllegalArgumentException("image embeddings in " + location + " were overwritten by a later image: the device keeps the last "
                    + slots + " (as many as fit the context); encode the image again");
        }
        return e.slot() * rowsPerImage;
    }

    String location() {
        return location;
    }
}
