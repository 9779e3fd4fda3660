package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Matrix-vector products for single-token decode: {@code y[r] = sum_c W[r][c] * x[c]}, with
 * {@code W} row-major ({@code rows x cols}).
 *
 * <p>Decode is bound by reading the weights once, so one work-group owns one output row: its
 * threads stride through the row together (consecutive threads read consecutive weights, which
 * coalesces), keep a private partial sum, and fold the partials in local memory. Launch with
 * {@link Grids#perRow(int, int)} ({@code rows} groups of a power-of-two local size, at most
 * {@link KernelConfig#MAX_LOCAL}).
 *
 * <p>With {@code accumulate == 1} the product is added to the existing {@code y[r]}, which fuses
 * the residual connection after the attention output and FFN down projections.
 */
public final class MatVec {

    private MatVec() {
    }

    /** F32 weights. */
    public static void matVecF32(KernelContext ctx, FloatArray w, FloatArray x, FloatArray y, int rows, int cols, int accumulate) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] partial = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float sum = 0.0f;
        if (row < rows) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += w.get(base + c) * x.get(c);
            }
        }
        partial[lid] = sum;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0 && row < rows) {
            float result = partial[0];
            if (accumulate != 0) {
                result += y.get(row);
            }
            y.set(row, result);
        }
    }

    /** F16 weights as raw half bits, widened in the kernel by {@link Fp16#decode(short)}. */
    public static void matVecF16(KernelContext ctx, ShortArray w, FloatArray x, FloatArray y, int rows, int cols, int accumulate) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] partial = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float sum = 0.0f;
        if (row < rows) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += Fp16.decode(w.get(base + c)) * x.get(c);
            }
        }
        partial[lid] = sum;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0 && row < rows) {
            float result = partial[0];
            if (accumulate != 0) {
                result += y.get(row);
            }
            y.set(row, result);
        }
    }

    /**
     * F16 weights in a {@code HalfFloatArray}, converted by the device's native half support.
     * Needs {@code cl_khr_fp16} on OpenCL (PTX always has it); pick it at run time with
     * {@link Fp16Support#nativeHalf(uk.ac.manchester.tornado.api.common.TornadoDevice)} and fall
     * back to {@link #matVecF16} elsewhere.
     */
    public static void matVecHalf(KernelContext ctx, HalfFloatArray w, FloatArray x, FloatArray y, int rows, int cols, int accumulate) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] partial = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float sum = 0.0f;
        if (row < rows) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += w.get(base + c).getFloat32() * x.get(c);
            }
        }
        partial[lid] = sum;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0 && row < rows) {
            float result = partial[0];
            if (accumulate != 0) {
                result += y.get(row);
            }
            y.set(row, result);
        }
    }

    /**
     * Q8_0 weights: int8 {@code quants} ({@code rows * cols}) and one float {@code scales} entry
     * per 32 quants ({@code cols % 32 == 0}). Thread {@code lid} takes columns
     * {@code lid, lid + localSize, ...} as in {@link #matVecF32}, so a warp's byte loads are
     * consecutive and coalesce; the scale of column {@code c} is entry {@code c / 32} of the row,
     * one load that 32 neighbouring threads share. (Giving each thread whole 32-byte blocks put
     * a warp's loads 32 bytes apart and ran at a quarter of the F16 kernel's bandwidth.)
     */
    public static void matVecQ8(KernelContext ctx, ByteArray quants, FloatArray scales, FloatArray x, FloatArray y, int rows, int cols, int accumulate) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] partial = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float sum = 0.0f;
        if (row < rows) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                int index = base + c;
                sum += scales.get(index / KernelConfig.Q8_BLOCK) * quants.get(index) * x.get(c);
            }
        }
        partial[lid] = sum;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0 && row < rows) {
            float result = partial[0];
            if (accumulate != 0) {
                result += y.get(row);
            }
            y.set(row, result);
        }
    }
}
