package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Row normalisations, one work-group per row of {@code dim} values (launch with
 * {@link Grids#perRow(int, int)}, rows = tokens). The row statistics are folded in local memory
 * (tree reductions, no {@code @Reduce}, which PoCL gets wrong); each thread then normalises the
 * elements it summed. {@code out} may not alias {@code x}.
 */
public final class Norms {

    private Norms() {
    }

    /** LLaMA RMSNorm: {@code out = x * weight / sqrt(mean(x^2) + eps)}. */
    public static void rmsNorm(KernelContext ctx, FloatArray x, FloatArray weight, FloatArray out, int dim, float eps) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int base = ctx.groupIdx * dim;
        float[] squares = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float ss = 0.0f;
        for (int c = lid; c < dim; c += localSize) {
            float v = x.get(base + c);
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
        float inv = 1.0f / TornadoMath.sqrt(squares[0] / dim + eps);
        for (int c = lid; c < dim; c += localSize) {
            out.set(base + c, x.get(base + c) * inv * weight.get(c));
        }
    }

    /**
     * CLIP LayerNorm: {@code out = (x - mean) / sqrt(var + eps) * weight + bias} with the biased
     * variance. Two passes (mean, then squared deviations) rather than {@code E[x^2] - E[x]^2},
     * which cancels badly in float for the large-mean rows of the vision tower.
     */
    public static void layerNorm(KernelContext ctx, FloatArray x, FloatArray weight, FloatArray bias, FloatArray out, int dim, float eps) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int base = ctx.groupIdx * dim;
        float[] sums = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] deviations = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float s = 0.0f;
        for (int c = lid; c < dim; c += localSize) {
            s += x.get(base + c);
        }
        sums[lid] = s;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                sums[lid] += sums[lid + stride];
            }
        }
        ctx.localBarrier();
        float mean = sums[0] / dim;

        float d2 = 0.0f;
        for (int c = lid; c < dim; c += localSize) {
            float d = x.get(base + c) - mean;
            d2 += d * d;
        }
        deviations[lid] = d2;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                deviations[lid] += deviations[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / TornadoMath.sqrt(deviations[0] / dim + eps);
        for (int c = lid; c < dim; c += localSize) {
            out.set(base + c, (x.get(base + c) - mean) * inv * weight.get(c) + bias.get(c));
        }
    }
}
