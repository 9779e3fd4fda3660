package io.github.tornadollava.llama;

import io.github.tornadollava.vision.ImageEmbeddings;

/**
 * A piece of a prompt: token ids, ready-made embedding rows on the host, or an image's
 * embeddings as its vision encoder returned them (possibly still in device memory). A prompt is a
 * list of segments whose positions follow each other.
 */
public sealed interface Segment permits Segment.Tokens, Segment.Embeddings, Segment.Image {

    /** Positions this segment occupies. */
    int length();

    record Tokens(int[] ids) implements Segment {
        public Tokens {
            if (ids == null) {
                throw new IllegalArgumentException("token segment without ids");
            }
        }

        public static Tokens of(int... ids) {
            return new Tokens(ids);
        }

        @Override
        public int length() {
            return ids.length;
        }
    }

    /** {@code nRows} rows of the model's embedding width, row-major in {@code rows}. */
    record Embeddings(float[] rows, int nRows) implements Segment {
        public Embeddings {
            if (rows == null || nRows < 0 || (nRows == 0 ? rows.length != 0 : rows.length % nRows != 0)) {
                throw new IllegalArgumentException("embedding segment: " + (rows == null ? "no data" : rows.length + " floats")
                        + " cannot be " + nRows + " equal rows");
            }
        }

        /** Width of each row. */
        public int width() {
            return nRows == 0 ? 0 : rows.length / nRows;
        }

        @Override
        public int length() {
            return nRows;
        }
    }

    /** One image, one position per row of its embeddings (see {@link ImageEmbeddings} for where they live). */
    record Image(ImageEmbeddings embeddings) implements Segment {
        public Image {
            if (embeddings == null) {
                throw new IllegalArgumentException("image segment without embeddings");
            }
        }

        @Override
        public int length() {
            return embeddings.nRows();
        }
    }
}
