package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Numerically stable softmax over each row of {@code cols} values, in place; one work-group per
 * row ({@link Grids#perRow(int, int)}). Max and sum are folded in local memory. The attention
 * kernels do their own (online) softmax; this one serves standalone uses such as sampling.
 */
public final class Softmax {

    private Softmax() {
    }

    public static void softmaxRows(KernelContext ctx, FloatArray x, int cols) {
        int lid = ctx.localIdx;
        int localSize = ctx.localGroupSizeX;
        int base = ctx.groupIdx * cols;
        float[] maxima = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);
        float[] sums = ctx.allocateFloatLocalArray(KernelConfig.MAX_LOCAL);

        float m = -Float.MAX_VALUE;
        for (int c = lid; c < cols; c += localSize) {
            m = TornadoMath.max(m, x.get(base + c));
        }
        maxima[lid] = m;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                maxima[lid] = TornadoMath.max(maxima[lid], maxima[lid + stride]);
            }
        }
        ctx.localBarrier();
        float rowMax = maxima[0];

        float s = 0.0f;
        for (int c = lid; c < cols; c += localSize) {
            float e = TornadoMath.exp(x.get(base + c) - rowMax);
            x.set(base + c, e);
            s += e;
        }
        sums[lid] = s;
        for (int stride = localSize / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                sums[lid] += sums[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1.0f / sums[0];
        for (int c = lid; c < cols; c += localSize) {
            x.set(base + c, x.get(base + c) * inv);
        }
    }
}
