package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Tiled matrix-matrix products for prefill and the vision tower:
 * {@code Y[t][r] = (accumulate ? Y[t][r] : 0) + sum_c X[t][c] * W[r][c] + (useBias ? bias[r] : 0)},
 * with {@code X} {@code tokens x cols}, {@code W} {@code rows x cols} and {@code Y} {@code tokens x rows},
 * all row-major. {@code bias} must be a real array even when {@code useBias == 0} (any length).
 *
 * <p>One work-group of {@link KernelConfig#TILE_THREADS}&#xd7;{@link KernelConfig#TILE_THREADS}
 * threads computes a {@link KernelConfig#TILE}&#xd7;{@link KernelConfig#TILE} block of {@code Y}
 * (64 tokens by 64 rows); dimension 0 of the grid runs over rows, dimension 1 over tokens (see
 * {@link Grids#matMul(int, int)}). The reduction dimension is walked in slices of
 * {@link KernelConfig#TILE_K}: each slice of {@code X} and of {@code W} is staged once in local
 * memory (weights decoded to float while staging, so the inner loop is format-agnostic), and
 * every thread then keeps a 4&#xd7;4 register block of outputs, giving 16 multiply-adds per 8
 * local-memory reads. The staging rows are padded by one float so that threads reading
 * different weight rows of the same column hit different local-memory banks. Out-of-range
 * tokens, rows and columns are staged as zeros, so no size has to be a multiple of the tile.
 *
 * <p>The staging indexing relies on {@code TILE_K == TILE_THREADS}: thread {@code (lx, ly)}
 * stages column {@code lx} of tile rows {@code ly, ly + 16, ly + 32, ly + 48}.
 */
public final class MatMul {

    private static final int STRIDE = KernelConfig.TILE_K + 1;

    private MatMul() {
    }

    private static void store(FloatArray y, FloatArray bias, float value, int t, int r, int tokens, int rows, int useBias, int accumulate) {
        if (t < tokens && r < rows) {
            int index = t * rows + r;
            float v = value;
            if (useBias != 0) {
                v += bias.get(r);
            }
            if (accumulate != 0) {
                v += y.get(index);
            }
            y.set(index, v);
        }
    }

    /** F32 weights. */
    public static void matMulF32(KernelContext ctx, FloatArray x, FloatArray w, FloatArray bias, FloatArray y, int tokens, int rows, int cols, int useBias, int accumulate) {
        int lx = ctx.localIdx;
        int ly = ctx.localIdy;
        int r0 = ctx.groupIdx * KernelConfig.TILE;
        int t0 = ctx.groupIdy * KernelConfig.TILE;
        float[] xs = ctx.allocateFloatLocalArray(KernelConfig.TILE * (KernelConfig.TILE_K + 1));
        float[] ws = ctx.allocateFloatLocalArray(KernelConfig.TILE * (KernelConfig.TILE_K + 1));

        // acc{tokenSlot}{rowSlot}: token t0 + ly + 16 * tokenSlot, row r0 + lx + 16 * rowSlot
        float acc00 = 0.0f;
        float acc01 = 0.0f;
        float acc02 = 0.0f;
        float acc03 = 0.0f;
        float acc10 = 0.0f;
        float acc11 = 0.0f;
        float acc12 = 0.0f;
        float acc13 = 0.0f;
        float acc20 = 0.0f;
        float acc21 = 0.0f;
        float acc22 = 0.0f;
        float acc23 = 0.0f;
        float acc30 = 0.0f;
        float acc31 = 0.0f;
        float acc32 = 0.0f;
        float acc33 = 0.0f;

        for (int k0 = 0; k0 < cols; k0 += KernelConfig.TILE_K) {
            int k = k0 + lx;
            for (int i = 0; i < KernelConfig.TILE_WORK; i++) {
                int tileRow = ly + i * KernelConfig.TILE_THREADS;
                int t = t0 + tileRow;
                float xv = 0.0f;
                if (t < tokens && k < cols) {
                    xv = x.get(t * cols + k);
                }
                xs[tileRow * STRIDE + lx] = xv;
                int r = r0 + tileRow;
                float wv = 0.0f;
                if (r < rows && k < cols) {
                    int index = r * cols + k;
                    wv = w.get(index);
                }
                ws[tileRow * STRIDE + lx] = wv;
            }
            ctx.localBarrier();
            for (int kk = 0; kk < KernelConfig.TILE_K; kk++) {
                float x0 = xs[ly * STRIDE + kk];
                float x1 = xs[(ly + 16) * STRIDE + kk];
                float x2 = xs[(ly + 32) * STRIDE + kk];
                float x3 = xs[(ly + 48) * STRIDE + kk];
                float w0 = ws[lx * STRIDE + kk];
                float w1 = ws[(lx + 16) * STRIDE + kk];
                float w2 = ws[(lx + 32) * STRIDE + kk];
                float w3 = ws[(lx + 48) * STRIDE + kk];
                acc00 += x0 * w0;
                acc01 += x0 * w1;
                acc02 += x0 * w2;
                acc03 += x0 * w3;
                acc10 += x1 * w0;
                acc11 += x1 * w1;
                acc12 += x1 * w2;
                acc13 += x1 * w3;
                acc20 += x2 * w0;
                acc21 += x2 * w1;
                acc22 += x2 * w2;
                acc23 += x2 * w3;
                acc30 += x3 * w0;
                acc31 += x3 * w1;
                acc32 += x3 * w2;
                acc33 += x3 * w3;
            }
            ctx.localBarrier();
        }

        int ta = t0 + ly;
        int ra = r0 + lx;
        store(y, bias, acc00, ta, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc01, ta, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc02, ta, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc03, ta, ra + 48, tokens, rows, useBias, accumulate);
        store(y, bias, acc10, ta + 16, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc11, ta + 16, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc12, ta + 16, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc13, ta + 16, ra + 48, tokens, rows, useBias, accumulate);
        store(y, bias, acc20, ta + 32, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc21, ta + 32, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc22, ta + 32, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc23, ta + 32, ra + 48, tokens, rows, useBias, accumulate);
        store(y, bias, acc30, ta + 48, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc31, ta + 48, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc32, ta + 48, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc33, ta + 48, ra + 48, tokens, rows, useBias, accumulate);
    }

    /** F16 weights as raw half bits, decoded while staging. */
    public static void matMulF16(KernelContext ctx, FloatArray x, ShortArray w, FloatArray bias, FloatArray y, int tokens, int rows, int cols, int useBias, int accumulate) {
        int lx = ctx.localIdx;
        int ly = ctx.localIdy;
        int r0 = ctx.groupIdx * KernelConfig.TILE;
        int t0 = ctx.groupIdy * KernelConfig.TILE;
        float[] xs = ctx.allocateFloatLocalArray(KernelConfig.TILE * (KernelConfig.TILE_K + 1));
        float[] ws = ctx.allocateFloatLocalArray(KernelConfig.TILE * (KernelConfig.TILE_K + 1));

        // acc{tokenSlot}{rowSlot}: token t0 + ly + 16 * tokenSlot, row r0 + lx + 16 * rowSlot
        float acc00 = 0.0f;
        float acc01 = 0.0f;
        float acc02 = 0.0f;
        float acc03 = 0.0f;
        float acc10 = 0.0f;
        float acc11 = 0.0f;
        float acc12 = 0.0f;
        float acc13 = 0.0f;
        float acc20 = 0.0f;
        float acc21 = 0.0f;
        float acc22 = 0.0f;
        float acc23 = 0.0f;
        float acc30 = 0.0f;
        float acc31 = 0.0f;
        float acc32 = 0.0f;
        float acc33 = 0.0f;

        for (int k0 = 0; k0 < cols; k0 += KernelConfig.TILE_K) {
            int k = k0 + lx;
            for (int i = 0; i < KernelConfig.TILE_WORK; i++) {
                int tileRow = ly + i * KernelConfig.TILE_THREADS;
                int t = t0 + tileRow;
                float xv = 0.0f;
                if (t < tokens && k < cols) {
                    xv = x.get(t * cols + k);
                }
                xs[tileRow * STRIDE + lx] = xv;
                int r = r0 + tileRow;
                float wv = 0.0f;
                if (r < rows && k < cols) {
                    int index = r * cols + k;
                    wv = Fp16.decode(w.get(index));
                }
                ws[tileRow * STRIDE + lx] = wv;
            }
            ctx.localBarrier();
            for (int kk = 0; kk < KernelConfig.TILE_K; kk++) {
                float x0 = xs[ly * STRIDE + kk];
                float x1 = xs[(ly + 16) * STRIDE + kk];
                float x2 = xs[(ly + 32) * STRIDE + kk];
                float x3 = xs[(ly + 48) * STRIDE + kk];
                float w0 = ws[lx * STRIDE + kk];
                float w1 = ws[(lx + 16) * STRIDE + kk];
                float w2 = ws[(lx + 32) * STRIDE + kk];
                float w3 = ws[(lx + 48) * STRIDE + kk];
                acc00 += x0 * w0;
                acc01 += x0 * w1;
                acc02 += x0 * w2;
                acc03 += x0 * w3;
                acc10 += x1 * w0;
                acc11 += x1 * w1;
                acc12 += x1 * w2;
                acc13 += x1 * w3;
                acc20 += x2 * w0;
                acc21 += x2 * w1;
                acc22 += x2 * w2;
                acc23 += x2 * w3;
                acc30 += x3 * w0;
                acc31 += x3 * w1;
                acc32 += x3 * w2;
                acc33 += x3 * w3;
            }
            ctx.localBarrier();
        }

        int ta = t0 + ly;
        int ra = r0 + lx;
        store(y, bias, acc00, ta, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc01, ta, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc02, ta, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc03, ta, ra + 48, tokens, rows, useBias, accumulate);
        store(y, bias, acc10, ta + 16, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc11, ta + 16, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc12, ta + 16, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc13, ta + 16, ra + 48, tokens, rows, useBias, accumulate);
        store(y, bias, acc20, ta + 32, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc21, ta + 32, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc22, ta + 32, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc23, ta + 32, ra + 48, tokens, rows, useBias, accumulate);
        store(y, bias, acc30, ta + 48, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc31, ta + 48, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc32, ta + 48, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc33, ta + 48, ra + 48, tokens, rows, useBias, accumulate);
    }

    /** Q8_0 weights: int8 quants and one float scale per 32 quants ({@code cols % 32 == 0}). */
    public static void matMulQ8(KernelContext ctx, FloatArray x, ByteArray quants, FloatArray scales, FloatArray bias, FloatArray y, int tokens, int rows, int cols, int useBias, int accumulate) {
        int lx = ctx.localIdx;
        int ly = ctx.localIdy;
        int r0 = ctx.groupIdx * KernelConfig.TILE;
        int t0 = ctx.groupIdy * KernelConfig.TILE;
        float[] xs = ctx.allocateFloatLocalArray(KernelConfig.TILE * (KernelConfig.TILE_K + 1));
        float[] ws = ctx.allocateFloatLocalArray(KernelConfig.TILE * (KernelConfig.TILE_K + 1));

        // acc{tokenSlot}{rowSlot}: token t0 + ly + 16 * tokenSlot, row r0 + lx + 16 * rowSlot
        float acc00 = 0.0f;
        float acc01 = 0.0f;
        float acc02 = 0.0f;
        float acc03 = 0.0f;
        float acc10 = 0.0f;
        float acc11 = 0.0f;
        float acc12 = 0.0f;
        float acc13 = 0.0f;
        float acc20 = 0.0f;
        float acc21 = 0.0f;
        float acc22 = 0.0f;
        float acc23 = 0.0f;
        float acc30 = 0.0f;
        float acc31 = 0.0f;
        float acc32 = 0.0f;
        float acc33 = 0.0f;

        for (int k0 = 0; k0 < cols; k0 += KernelConfig.TILE_K) {
            int k = k0 + lx;
            for (int i = 0; i < KernelConfig.TILE_WORK; i++) {
                int tileRow = ly + i * KernelConfig.TILE_THREADS;
                int t = t0 + tileRow;
                float xv = 0.0f;
                if (t < tokens && k < cols) {
                    xv = x.get(t * cols + k);
                }
                xs[tileRow * STRIDE + lx] = xv;
                int r = r0 + tileRow;
                float wv = 0.0f;
                if (r < rows && k < cols) {
                    int index = r * cols + k;
                    wv = quants.get(index) * scales.get(index / KernelConfig.Q8_BLOCK);
                }
                ws[tileRow * STRIDE + lx] = wv;
            }
            ctx.localBarrier();
            for (int kk = 0; kk < KernelConfig.TILE_K; kk++) {
                float x0 = xs[ly * STRIDE + kk];
                float x1 = xs[(ly + 16) * STRIDE + kk];
                float x2 = xs[(ly + 32) * STRIDE + kk];
                float x3 = xs[(ly + 48) * STRIDE + kk];
                float w0 = ws[lx * STRIDE + kk];
                float w1 = ws[(lx + 16) * STRIDE + kk];
                float w2 = ws[(lx + 32) * STRIDE + kk];
                float w3 = ws[(lx + 48) * STRIDE + kk];
                acc00 += x0 * w0;
                acc01 += x0 * w1;
                acc02 += x0 * w2;
                acc03 += x0 * w3;
                acc10 += x1 * w0;
                acc11 += x1 * w1;
                acc12 += x1 * w2;
                acc13 += x1 * w3;
                acc20 += x2 * w0;
                acc21 += x2 * w1;
                acc22 += x2 * w2;
                acc23 += x2 * w3;
                acc30 += x3 * w0;
                acc31 += x3 * w1;
                acc32 += x3 * w2;
                acc33 += x3 * w3;
            }
            ctx.localBarrier();
        }

        int ta = t0 + ly;
        int ra = r0 + lx;
        store(y, bias, acc00, ta, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc01, ta, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc02, ta, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc03, ta, ra + 48, tokens, rows, useBias, accumulate);
        store(y, bias, acc10, ta + 16, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc11, ta + 16, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc12, ta + 16, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc13, ta + 16, ra + 48, tokens, rows, useBias, accumulate);
        store(y, bias, acc20, ta + 32, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc21, ta + 32, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc22, ta + 32, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc23, ta + 32, ra + 48, tokens, rows, useBias, accumulate);
        store(y, bias, acc30, ta + 48, ra, tokens, rows, useBias, accumulate);
        store(y, bias, acc31, ta + 48, ra + 16, tokens, rows, useBias, accumulate);
        store(y, bias, acc32, ta + 48, ra + 32, tokens, rows, useBias, accumulate);
        store(y, bias, acc33, ta + 48, ra + 48, tokens, rows, useBias, accumulate);
    }
}
