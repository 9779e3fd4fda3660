package io.github.tornadollava.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Plumbing kernels of the backend's task graphs: they move rows between the small arrays the
 * host uploads or downloads and the device-resident activations, so that nothing larger than
 * the input rows and the logits crosses the bus. They do no arithmetic, which is why they live
 * here and not with the model kernels of {@code io.github.tornadollava.kernels.tornado}.
 *
 * <p>One thread per element; launch with {@code Grids.elementwise}. Scalars are compile-time
 * constants of the task (see the kernels package documentation), so sizes that change per call
 * are bounded by the grid, and row indices that change per call come from an {@link IntArray}.
 */
public final class RowKernels {

    private RowKernels() {
    }

    /** {@code dst[i] = src[i]} for {@code i < n}: the prompt rows of a prefill batch into the residual stream. */
    public static void copy(KernelContext ctx, FloatArray src, FloatArray dst, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            dst.set(i, src.get(i));
        }
    }

    /**
     * The input of one decode step: its embedding row becomes row 0 of the residual stream
     * {@code x}, and its position becomes {@code positions[0]}, which the decode kernels read.
     */
    public static void loadDecodeRow(KernelContext ctx, FloatArray row, IntArray position, FloatArray x, IntArray positions, int dim) {
        int i = ctx.globalIdx;
        if (i < dim) {
            x.set(i, row.get(i));
        }
        if (i == 0) {
            positions.set(0, position.get(0));
        }
    }

    /** {@code dst = src[row[0]]} for rows of {@code dim}: the last fed row, whose logits are wanted. */
    public static void selectRow(KernelContext ctx, FloatArray src, IntArray row, FloatArray dst, int dim) {
        int i = ctx.globalIdx;
        if (i < dim) {
            dst.set(i, src.get(row.get(0) * dim + i));
        }
    }

    /** {@code dst[i] = src[offset + i]} for {@code i < n}: the ViT rows without the CLS row. */
    public static void copyFrom(KernelContext ctx, FloatArray src, FloatArray dst, int offset, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            dst.set(i, src.get(offset + i));
        }
    }

    /**
     * The input rows of a prefill batch when image embeddings may be among them: row {@code t}
     * of {@code x} is host row {@code t} of {@code hostRows} when {@code source[t] < 0}, otherwise
     * row {@code source[t]} of the device's image rows, as the projector left it. {@code n} is the
     * batch's element count, {@code maxBatch * dim}.
     */
    public static void gatherInput(KernelContext ctx, FloatArray hostRows, IntArray source, FloatArray imageRows, FloatArray x, int dim, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            int t = i / dim;
            int row = source.get(t);
            x.set(i, row < 0 ? hostRows.get(i) : imageRows.get(row * dim + i - t * dim));
        }
    }

    /** {@code dst[slot[0] * n + i] = src[i]} for {@code i < n}: one image's embeddings into its slot of the image rows. */
    public static void copyToSlot(KernelContext ctx, FloatArray src, IntArray slot, FloatArray dst, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            dst.set(slot.get(0) * n + i, src.get(i));
        }
    }
}
