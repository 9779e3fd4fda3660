package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Decode mat-vecs with the RMSNorm that precedes them folded in: single ones, the q/k/v
 * projections as one kernel, and the SiLU-gated FFN ({@code silu(W_gate x) * (W_up x)}) as one
 * kernel.
 *
 * <p>Why fuse: the normalised vector would otherwise be written to and re-read from global
 * memory, and the gate/up activations too, in three extra launches per layer. Each work-group
 * (one per output row, as in {@link MatVec}) recomputes the sum of squares of the raw
 * {@code x} itself; {@code x} is a few KiB that every group reads anyway and that stays in
 * cache, so the redundant reduction is far cheaper than a separate norm kernel and its barrier
 * between launches. {@code RMSNorm(x)[c] = x[c] * normWeight[c] / sqrt(mean(x^2) + eps)}.
 */
public final class FusedMatVec {

    private FusedMatVec() {
    }

    /** {@code y[r] = (accumulate ? y[r] : 0) + sum_c W[r][c] * RMSNorm(x)[c]}, F32 weights. */
    public static void rmsNormMatVecF32(KernelContext ctx, FloatArray x, FloatArray normWeight, FloatArray w, FloatArray y, int rows, int cols, float eps, int accumulate) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] squares = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] partial = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float ss = 0.0f;
        for (int c = lid; c < cols; c += localSize) {
            float v = x.get(c);
            ss += v * v;
        }
        squares[lid] = ss;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                squares[lid] += squares[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(squares[0] / cols + eps);

        float sum = 0.0f;
        if (row < rows) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += w.get(base + c) * (x.get(c) * normWeight.get(c));
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
            float result = partial[0] * inv;
            if (accumulate != 0) {
                result += y.get(row);
            }
            y.set(row, result);
        }
    }

    /** As {@link #rmsNormMatVecF32}, F16 weights (raw half bits). */
    public static void rmsNormMatVecF16(KernelContext ctx, FloatArray x, FloatArray normWeight, ShortArray w, FloatArray y, int rows, int cols, float eps, int accumulate) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] squares = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] partial = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float ss = 0.0f;
        for (int c = lid; c < cols; c += localSize) {
            float v = x.get(c);
            ss += v * v;
        }
        squares[lid] = ss;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                squares[lid] += squares[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(squares[0] / cols + eps);

        float sum = 0.0f;
        if (row < rows) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += Fp16.decode(w.get(base + c)) * (x.get(c) * normWeight.get(c));
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
            float result = partial[0] * inv;
            if (accumulate != 0) {
                result += y.get(row);
            }
            y.set(row, result);
        }
    }

    /**
     * As {@link #rmsNormMatVecF32}, Q8_0 weights (quants + per-32 scales). Columns are strided
     * across the group as in {@link MatVec#matVecQ8}, so quant loads coalesce.
     */
    public static void rmsNormMatVecQ8(KernelContext ctx, FloatArray x, FloatArray normWeight, ByteArray quants, FloatArray scales, FloatArray y, int rows, int cols, float eps,
            int accumulate) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] squares = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] partial = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float ss = 0.0f;
        for (int c = lid; c < cols; c += localSize) {
            float v = x.get(c);
            ss += v * v;
        }
        squares[lid] = ss;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                squares[lid] += squares[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(squares[0] / cols + eps);

        float sum = 0.0f;
        if (row < rows) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                int index = base + c;
                sum += scales.get(index / KernelConfig.Q8_BLOCK) * quants.get(index) * (x.get(c) * normWeight.get(c));
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
            float result = partial[0] * inv;
            if (accumulate != 0) {
                result += y.get(row);
            }
            y.set(row, result);
        }
    }

    /*
     * The attention projections q = Wq n, k = Wk n, v = Wv n (n = RMSNorm(x)) as ONE launch:
     * every launch costs TornadoVM some 80 us of host time, which dominates a decode step on a
     * fast GPU, and the three products share x, the norm and cols. Work-group r computes row r of
     * the stacked [Wq; Wk; Wv]: r < qRows a row of q, the next kvRows k, the last kvRows v. The
     * branch is uniform across a group, so it costs no divergence; groups past the last row (the
     * grid is rounded up) only take part in the barriers.
     */

    /** q, k and v of {@code RMSNorm(x)} in one launch ({@code qRows + 2 kvRows} groups), F32 weights. */
    public static void rmsNormQkvF32(KernelContext ctx, FloatArray x, FloatArray normWeight, FloatArray wq, FloatArray wk, FloatArray wv, FloatArray q, FloatArray k,
            FloatArray v, int qRows, int kvRows, int cols, float eps) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] squares = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] partial = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float ss = 0.0f;
        for (int c = lid; c < cols; c += localSize) {
            float e = x.get(c);
            ss += e * e;
        }
        squares[lid] = ss;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                squares[lid] += squares[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(squares[0] / cols + eps);

        int kStart = qRows;
        int vStart = qRows + kvRows;
        float sum = 0.0f;
        if (row < kStart) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += wq.get(base + c) * (x.get(c) * normWeight.get(c));
            }
        } else if (row < vStart) {
            int base = (row - kStart) * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += wk.get(base + c) * (x.get(c) * normWeight.get(c));
            }
        } else if (row < vStart + kvRows) {
            int base = (row - vStart) * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += wv.get(base + c) * (x.get(c) * normWeight.get(c));
            }
        }
        partial[lid] = sum;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) {
            float result = partial[0] * inv;
            if (row < kStart) {
                q.set(row, result);
            } else if (row < vStart) {
                k.set(row - kStart, result);
            } else if (row < vStart + kvRows) {
                v.set(row - vStart, result);
            }
        }
    }

    /** As {@link #rmsNormQkvF32}, F16 weights (raw half bits). */
    public static void rmsNormQkvF16(KernelContext ctx, FloatArray x, FloatArray normWeight, ShortArray wq, ShortArray wk, ShortArray wv, FloatArray q, FloatArray k,
            FloatArray v, int qRows, int kvRows, int cols, float eps) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] squares = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] partial = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float ss = 0.0f;
        for (int c = lid; c < cols; c += localSize) {
            float e = x.get(c);
            ss += e * e;
        }
        squares[lid] = ss;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                squares[lid] += squares[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(squares[0] / cols + eps);

        int kStart = qRows;
        int vStart = qRows + kvRows;
        float sum = 0.0f;
        if (row < kStart) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += Fp16.decode(wq.get(base + c)) * (x.get(c) * normWeight.get(c));
            }
        } else if (row < vStart) {
            int base = (row - kStart) * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += Fp16.decode(wk.get(base + c)) * (x.get(c) * normWeight.get(c));
            }
        } else if (row < vStart + kvRows) {
            int base = (row - vStart) * cols;
            for (int c = lid; c < cols; c += localSize) {
                sum += Fp16.decode(wv.get(base + c)) * (x.get(c) * normWeight.get(c));
            }
        }
        partial[lid] = sum;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) {
            float result = partial[0] * inv;
            if (row < kStart) {
                q.set(row, result);
            } else if (row < vStart) {
                k.set(row - kStart, result);
            } else if (row < vStart + kvRows) {
                v.set(row - vStart, result);
            }
        }
    }

    /**
     * As {@link #rmsNormQkvF32}, Q8_0 weights (quants + per-32 scales of each matrix), columns
     * strided across the group as in {@link MatVec#matVecQ8} so quant loads coalesce.
     */
    public static void rmsNormQkvQ8(KernelContext ctx, FloatArray x, FloatArray normWeight, ByteArray qQuants, FloatArray qScales, ByteArray kQuants, FloatArray kScales,
            ByteArray vQuants, FloatArray vScales, FloatArray q, FloatArray k, FloatArray v, int qRows, int kvRows, int cols, float eps) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] squares = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] partial = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float ss = 0.0f;
        for (int c = lid; c < cols; c += localSize) {
            float e = x.get(c);
            ss += e * e;
        }
        squares[lid] = ss;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                squares[lid] += squares[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(squares[0] / cols + eps);

        int kStart = qRows;
        int vStart = qRows + kvRows;
        float sum = 0.0f;
        if (row < kStart) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                int index = base + c;
                sum += qScales.get(index / KernelConfig.Q8_BLOCK) * qQuants.get(index) * (x.get(c) * normWeight.get(c));
            }
        } else if (row < vStart) {
            int base = (row - kStart) * cols;
            for (int c = lid; c < cols; c += localSize) {
                int index = base + c;
                sum += kScales.get(index / KernelConfig.Q8_BLOCK) * kQuants.get(index) * (x.get(c) * normWeight.get(c));
            }
        } else if (row < vStart + kvRows) {
            int base = (row - vStart) * cols;
            for (int c = lid; c < cols; c += localSize) {
                int index = base + c;
                sum += vScales.get(index / KernelConfig.Q8_BLOCK) * vQuants.get(index) * (x.get(c) * normWeight.get(c));
            }
        }
        partial[lid] = sum;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) {
            float result = partial[0] * inv;
            if (row < kStart) {
                q.set(row, result);
            } else if (row < vStart) {
                k.set(row - kStart, result);
            } else if (row < vStart + kvRows) {
                v.set(row - vStart, result);
            }
        }
    }

    /**
     * {@code y[r] = silu(g) * u} with {@code g = W_gate[r] . RMSNorm(x)} and
     * {@code u = W_up[r] . RMSNorm(x)}, F32 weights ({@code rows = ffn dim, cols = model dim}).
     * Both dot products share one pass over {@code x}.
     */
    public static void rmsNormGateUpSiluF32(KernelContext ctx, FloatArray x, FloatArray normWeight, FloatArray wGate, FloatArray wUp, FloatArray y, int rows, int cols, float eps) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] squares = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] gates = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] ups = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float ss = 0.0f;
        for (int c = lid; c < cols; c += localSize) {
            float v = x.get(c);
            ss += v * v;
        }
        squares[lid] = ss;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                squares[lid] += squares[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(squares[0] / cols + eps);

        float g = 0.0f;
        float u = 0.0f;
        if (row < rows) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                float xn = x.get(c) * normWeight.get(c);
                g += wGate.get(base + c) * xn;
                u += wUp.get(base + c) * xn;
            }
        }
        gates[lid] = g;
        ups[lid] = u;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                gates[lid] += gates[lid + stride];
                ups[lid] += ups[lid + stride];
            }
        }
        if (lid == 0 && row < rows) {
            float gate = gates[0] * inv;
            float up = ups[0] * inv;
            y.set(row, gate / (1.0f + TornadoMath.exp(-gate)) * up);
        }
    }

    /** As {@link #rmsNormGateUpSiluF32}, F16 weights (raw half bits). */
    public static void rmsNormGateUpSiluF16(KernelContext ctx, FloatArray x, FloatArray normWeight, ShortArray wGate, ShortArray wUp, FloatArray y, int rows, int cols, float eps) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] squares = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] gates = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] ups = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float ss = 0.0f;
        for (int c = lid; c < cols; c += localSize) {
            float v = x.get(c);
            ss += v * v;
        }
        squares[lid] = ss;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                squares[lid] += squares[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(squares[0] / cols + eps);

        float g = 0.0f;
        float u = 0.0f;
        if (row < rows) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                float xn = x.get(c) * normWeight.get(c);
                g += Fp16.decode(wGate.get(base + c)) * xn;
                u += Fp16.decode(wUp.get(base + c)) * xn;
            }
        }
        gates[lid] = g;
        ups[lid] = u;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                gates[lid] += gates[lid + stride];
                ups[lid] += ups[lid + stride];
            }
        }
        if (lid == 0 && row < rows) {
            float gate = gates[0] * inv;
            float up = ups[0] * inv;
            y.set(row, gate / (1.0f + TornadoMath.exp(-gate)) * up);
        }
    }

    /**
     * As {@link #rmsNormGateUpSiluF32}, Q8_0 weights (quants + per-32 scales for each matrix),
     * columns strided across the group as in {@link MatVec#matVecQ8} so quant loads coalesce.
     */
    public static void rmsNormGateUpSiluQ8(KernelContext ctx, FloatArray x, FloatArray normWeight, ByteArray gateQuants, FloatArray gateScales, ByteArray upQuants, FloatArray upScales,
            FloatArray y, int rows, int cols, float eps) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int row = ctx.groupIdx;
        float[] squares = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] gates = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] ups = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float ss = 0.0f;
        for (int c = lid; c < cols; c += localSize) {
            float v = x.get(c);
            ss += v * v;
        }
        squares[lid] = ss;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                squares[lid] += squares[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(squares[0] / cols + eps);

        float g = 0.0f;
        float u = 0.0f;
        if (row < rows) {
            int base = row * cols;
            for (int c = lid; c < cols; c += localSize) {
                int index = base + c;
                int block = index / KernelConfig.Q8_BLOCK;
                float xn = x.get(c) * normWeight.get(c);
                g += gateScales.get(block) * gateQuants.get(index) * xn;
                u += upScales.get(block) * upQuants.get(index) * xn;
            }
        }
        gates[lid] = g;
        ups[lid] = u;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                gates[lid] += gates[lid + stride];
                ups[lid] += ups[lid + stride];
            }
        }
        if (lid == 0 && row < rows) {
            float gate = gates[0] * inv;
            float up = ups[0] * inv;
            y.set(row, gate / (1.0f + TornadoMath.exp(-gate)) * up);
        }
    }
}
