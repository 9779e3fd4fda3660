package io.github.tornadollava.vision;

/**
 * One image's projected embeddings, {@link #nRows()} rows of {@link #width()} floats, wherever
 * the backend that computed them left them: on the host ({@link Host}, the CPU backend and every
 * standalone encoder) or in accelerator memory ({@link OnDevice}, where only the language model
 * loaded together with the encoder, by {@code Backend.multimodal}, can read them without a copy).
 * A prompt carries them as a {@code Segment.Image}.
 */
public sealed interface ImageEmbeddings permits ImageEmbeddings.Host, ImageEmbeddings.OnDevice {

    /** Positions the image occupies: one per patch. */
    int nRows();

    /** Floats per row: the language model's embedding width. */
    int width();

    /** Rows in host memory, row-major. */
    record Host(float[] rows, int nRows) implements ImageEmbeddings {
        public Host {
            if (rows == null || nRows < 1 || rows.length % nRows != 0) {
                throw new IllegalArgumentException("image embeddings: " + (rows == null ? "no data" : rows.length + " floats")
                        + " cannot be " + nRows + " equal rows");
            }
        }

        @Override
        public int width() {
            return rows.length / nRows;
        }
    }

    /**
     * Rows that stay in a device's memory. They never come to the host: a language model that
     * cannot read them where they are refuses them (naming {@link #location()}).
     */
    non-sealed interface OnDevice extends ImageEmbeddings {

        /** Where the rows are, for messages (the device and which model session holds them). */
        String location();
    }
}
