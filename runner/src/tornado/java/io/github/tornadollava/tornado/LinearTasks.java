package io.github.tornadollava.tornado;

import io.github.tornadollava.kernels.tornado.FusedMatVec;
import io.github.tornadollava.kernels.tornado.MatMul;
import io.github.tornadollava.kernels.tornado.MatVec;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Adds the kernel task for a weight product to a task graph, choosing the kernel variant that
 * reads the matrix's {@link DeviceMatrix} layout. The graph builders thus describe a layer once,
 * whatever mix of formats the checkpoint has.
 */
final class LinearTasks {

    private LinearTasks() {
    }

    /** Decode: {@code y[r] = (accumulate ? y[r] : 0) + W[r] . x}, one work-group per row of W. */
    static void matVec(TaskGraph g, String task, KernelContext ctx, DeviceMatrix w, FloatArray x, FloatArray y, int accumulate) {
        int rows = w.rows();
        int cols = w.cols();
        switch (w) {
            case DeviceMatrix.F32 f -> g.task(task, MatVec::matVecF32, ctx, f.values(), x, y, rows, cols, accumulate);
            case DeviceMatrix.F16 h -> g.task(task, MatVec::matVecF16, ctx, h.bits(), x, y, rows, cols, accumulate);
            case DeviceMatrix.Q8 q -> g.task(task, MatVec::matVecQ8, ctx, q.quants(), q.scales(), x, y, rows, cols, accumulate);
        }
    }

    /** Decode: {@code y = W . RMSNorm(x)}, the norm folded into the mat-vec. */
    static void rmsNormMatVec(TaskGraph g, String task, KernelContext ctx, FloatArray x, FloatArray norm, DeviceMatrix w, FloatArray y, float eps) {
        int rows = w.rows();
        int cols = w.cols();
        switch (w) {
            case DeviceMatrix.F32 f -> g.task(task, FusedMatVec::rmsNormMatVecF32, ctx, x, norm, f.values(), y, rows, cols, eps, 0);
            case DeviceMatrix.F16 h -> g.task(task, FusedMatVec::rmsNormMatVecF16, ctx, x, norm, h.bits(), y, rows, cols, eps, 0);
            case DeviceMatrix.Q8 q -> g.task(task, FusedMatVec::rmsNormMatVecQ8, ctx, x, norm, q.quants(), q.scales(), y, rows, cols, eps, 0);
        }
    }

    /** Whether {@link #rmsNormGateUpSilu} can take these two matrices (the fused kernel reads both in one layout). */
    static boolean sameLayout(DeviceMatrix a, DeviceMatrix b) {
        return a.getClass() == b.getClass();
    }

    /** Whether {@link #rmsNormQkv} can take these three matrices (the fused kernel reads all in one layout). */
    static boolean sameLayout(DeviceMatrix a, DeviceMatrix b, DeviceMatrix c) {
        return sameLayout(a, b) && sameLayout(a, c);
    }

    /**
     * Decode: {@code q = W_q . n}, {@code k = W_k . n}, {@code v = W_v . n} with
     * {@code n = RMSNorm(x)}, in one kernel of {@link #qkvRows} work-groups.
     */
    static void rmsNormQkv(TaskGraph g, String task, KernelContext ctx, FloatArray x, FloatArray norm, DeviceMatrix wq, DeviceMatrix wk, DeviceMatrix wv, FloatArray q,
            FloatArray k, FloatArray v, float eps) {
        if (wk.rows() != wv.rows() || wk.cols() != wq.cols() || wv.cols() != wq.cols()) {
            throw new IllegalArgumentException("q/k/v weights of shapes " + wq.rows() + "x" + wq.cols() + ", " + wk.rows() + "x" + wk.cols() + ", " + wv.rows() + "x"
                    + wv.cols() + " cannot share one kernel");
        }
        int qRows = wq.rows();
        int kvRows = wk.rows();
        int cols = wq.cols();
        switch (wq) {
            case DeviceMatrix.F32 f -> g.task(task, FusedMatVec::rmsNormQkvF32, ctx, x, norm, f.values(), ((DeviceMatrix.F32) wk).values(), ((DeviceMatrix.F32) wv).values(), q, k,
                    v, qRows, kvRows, cols, eps);
            case DeviceMatrix.F16 h -> g.task(task, FusedMatVec::rmsNormQkvF16, ctx, x, norm, h.bits(), ((DeviceMatrix.F16) wk).bits(), ((DeviceMatrix.F16) wv).bits(), q, k, v,
                    qRows, kvRows, cols, eps);
            case DeviceMatrix.Q8 qm -> {
                DeviceMatrix.Q8 km = (DeviceMatrix.Q8) wk;
                DeviceMatrix.Q8 vm = (DeviceMatrix.Q8) wv;
                g.task(task, FusedMatVec::rmsNormQkvQ8, ctx, x, norm, qm.quants(), qm.scales(), km.quants(), km.scales(), vm.quants(), vm.scales(), q, k, v, qRows, kvRows,
                        cols, eps);
            }
        }
    }

    /** Work-groups of {@link #rmsNormQkv}: one per row of q, k and v. */
    static int qkvRows(DeviceMatrix wq, DeviceMatrix wk, DeviceMatrix wv) {
        return wq.rows() + wk.rows() + wv.rows();
    }

    /** Decode: {@code y = silu(W_gate . n) * (W_up . n)} with {@code n = RMSNorm(x)}, in one kernel. */
    static void rmsNormGateUpSilu(TaskGraph g, String task, KernelContext ctx, FloatArray x, FloatArray norm, DeviceMatrix gate, DeviceMatrix up, FloatArray y, float eps) {
        int rows = gate.rows();
        int cols = gate.cols();
        switch (gate) {
            case DeviceMatrix.F32 f -> g.task(task, FusedMatVec::rmsNormGateUpSiluF32, ctx, x, norm, f.values(), ((DeviceMatrix.F32) up).values(), y, rows, cols, eps);
            case DeviceMatrix.F16 h -> g.task(task, FusedMatVec::rmsNormGateUpSiluF16, ctx, x, norm, h.bits(), ((DeviceMatrix.F16) up).bits(), y, rows, cols, eps);
            case DeviceMatrix.Q8 q -> {
                DeviceMatrix.Q8 u = (DeviceMatrix.Q8) up;
                g.task(task, FusedMatVec::rmsNormGateUpSiluQ8, ctx, x, norm, q.quants(), q.scales(), u.quants(), u.scales(), y, rows, cols, eps);
            }
        }
    }

    /**
     * Prefill and ViT: {@code Y[t] = (accumulate ? Y[t] : 0) + W X[t] (+ bias)} for {@code tokens}
     * rows, the tiled mat-mul. {@code bias} must be an array even when unused.
     */
    static void matMul(TaskGraph g, String task, KernelContext ctx, FloatArray x, DeviceMatrix w, FloatArray bias, FloatArray y, int tokens, boolean useBias,
            boolean accumulate) {
        int rows = w.rows();
        int cols = w.cols();
        int b = useBias ? 1 : 0;
        int acc = accumulate ? 1 : 0;
        switch (w) {
            case DeviceMatrix.F32 f -> g.task(task, MatMul::matMulF32, ctx, x, f.values(), bias, y, tokens, rows, cols, b, acc);
            case DeviceMatrix.F16 h -> g.task(task, MatMul::matMulF16, ctx, x, h.bits(), bias, y, tokens, rows, cols, b, acc);
            case DeviceMatrix.Q8 q -> g.task(task, MatMul::matMulQ8, ctx, x, q.quants(), q.scales(), bias, y, tokens, rows, cols, b, acc);
        }
    }
}
