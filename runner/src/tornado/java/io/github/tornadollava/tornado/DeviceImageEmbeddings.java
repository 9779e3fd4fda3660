package io.github.tornadollava.tornado;

import io.github.tornadollava.vision.ImageEmbeddings;

/**
 * A handle on one image's embeddings in a {@link DeviceImageStore}: what the vision encoder of a
 * multimodal plan returns from {@code embed}, and what its decoder's prefill reads rows from on
 * the device. It holds no floats; {@link DeviceImageStore#firstRow} checks it is still current.
 */
record DeviceImageEmbeddings(DeviceImageStore store, int slot, long serial, int nRows, int width) implements ImageEmbeddings.OnDevice {

    @Override
    public String location() {
        return store.location() + ", image slot " + slot;
    }
}
