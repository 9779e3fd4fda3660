package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Token embedding lookup (row copy from a {@code vocab x dim} table by token id) and the vision
 * tower's input side: convolutional patch embedding as im2col + {@link MatMul}, and the class
 * token plus position embeddings. One thread per output element; launch with
 * {@link Grids#elementwise(int, int)}.
 */
public final class Embeddings {

    private Embeddings() {
    }

    /** {@code out[t][d] = table[tokens[t]][d]}, F32 table. */
    public static void embedF32(KernelContext ctx, FloatArray table, IntArray tokens, FloatArray out, int nTokens, int dim) {
        int i = ctx.globalIdx;
        if (i < nTokens * dim) {
            int t = i / dim;
            int d = i % dim;
            out.set(i, table.get(tokens.get(t) * dim + d));
        }
    }

    /** As {@link #embedF32}, F16 table (raw half bits). */
    public static void embedF16(KernelContext ctx, ShortArray table, IntArray tokens, FloatArray out, int nTokens, int dim) {
        int i = ctx.globalIdx;
        if (i < nTokens * dim) {
            int t = i / dim;
            int d = i % dim;
            out.set(i, Fp16.decode(table.get(tokens.get(t) * dim + d)));
        }
    }

    /** As {@link #embedF32}, Q8_0 table (quants + one scale per 32; {@code dim % 32 == 0}). */
    public static void embedQ8(KernelContext ctx, ByteArray quants, FloatArray scales, IntArray tokens, FloatArray out, int nTokens, int dim) {
        int i = ctx.globalIdx;
        if (i < nTokens * dim) {
            int t = i / dim;
            int d = i % dim;
            int index = tokens.get(t) * dim + d;
            out.set(i, quants.get(index) * scales.get(index / KernelConfig.Q8_BLOCK));
        }
    }

    /**
     * Unfolds non-overlapping {@code patchSize x patchSize} patches of a {@code channels x size x size}
     * (CHW) image into {@code patches}: one row per patch in row-major patch order
     * ({@code py * grid + px}, {@code grid = size / patchSize}), each row laid out as
     * {@code (c, ky, kx)} flattened, the order of a PyTorch/GGUF conv weight
     * {@code [out][c][ky][kx]}. The stride-{@code patchSize} convolution is then
     * {@code MatMul(patches, convWeight)} ({@code cols = channels * patchSize^2}).
     */
    public static void im2col(KernelContext ctx, FloatArray image, FloatArray patches, int channels, int size, int patchSize) {
        int i = ctx.globalIdx;
        int grid = size / patchSize;
        int patchLength = channels * patchSize * patchSize;
        if (i < grid * grid * patchLength) {
            int p = i / patchLength;
            int e = i % patchLength;
            int c = e / (patchSize * patchSize);
            int ky = (e / patchSize) % patchSize;
            int kx = e % patchSize;
            int y = (p / grid) * patchSize + ky;
            int x = (p % grid) * patchSize + kx;
            patches.set(i, image.get((c * size + y) * size + x));
        }
    }

    /**
     * Builds the vision tower input: {@code out[0] = cls + pos[0]},
     * {@code out[1 + p] = patchEmbeddings[p] + pos[1 + p]}; {@code out} is
     * {@code (nPatches + 1) x dim}.
     */
    public static void prependClsAddPosition(KernelContext ctx, FloatArray patchEmbeddings, FloatArray cls, FloatArray positionEmbeddings, FloatArray out, int nPatches,
            int dim) {
        int i = ctx.globalIdx;
        if (i < (nPatches + 1) * dim) {
            int t = i / dim;
            int d = i % dim;
            float v;
            if (t == 0) {
                v = cls.get(d);
            } else {
                v = patchEmbeddings.get(i - dim);
            }
            out.set(i, v + positionEmbeddings.get(i));
        }
    }
}
