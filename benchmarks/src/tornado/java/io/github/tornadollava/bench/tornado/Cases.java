package io.github.tornadollava.bench.tornado;

import static uk.ac.manchester.tornado.api.enums.DataTransferMode.FIRST_EXECUTION;
import static uk.ac.manchester.tornado.api.enums.DataTransferMode.UNDER_DEMAND;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import io.github.tornadollava.bench.RandomWeights;
import io.github.tornadollava.bench.tornado.Comparison.Cpu;
import io.github.tornadollava.bench.tornado.Comparison.Device;
import io.github.tornadollava.kernels.cpu.Activations;
import io.github.tornadollava.kernels.cpu.FullAttention;
import io.github.tornadollava.kernels.cpu.Im2col;
import io.github.tornadollava.kernels.cpu.KVCache;
import io.github.tornadollava.kernels.cpu.Parallel;
import io.github.tornadollava.kernels.cpu.WeightMatrix;
import io.github.tornadollava.kernels.format.GGMLType;
import io.github.tornadollava.kernels.tornado.Attention;
import io.github.tornadollava.kernels.tornado.Embeddings;
import io.github.tornadollava.kernels.tornado.FusedMatVec;
import io.github.tornadollava.kernels.tornado.Grids;
import io.github.tornadollava.kernels.tornado.MatMul;
import io.github.tornadollava.kernels.tornado.MatVec;
import io.github.tornadollava.kernels.tornado.Norms;
import io.github.tornadollava.kernels.tornado.Rope;
import io.github.tornadollava.kernels.tornado.Softmax;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The comparisons, on LLaVA-1.5's shapes: the LLaMA decoder of the 1B-shape language model
 * (dim 2048, FFN 5632, 32 query / 4 KV heads of 64, vocabulary 32000) and of the 7B one (dim 4096,
 * FFN 11008, 32 heads of 128), the CLIP ViT-L/336 tower (577 tokens of 1024, FFN 4096, 16 heads of
 * 64, 14-pixel patches of a 336 image) and the projector (576 tokens, 1024 -> 4096). Decode
 * attention and RoPE sit at position 600, just past the 576 image tokens and a short prompt;
 * prefill covers 600 tokens. Weights are random, in exactly the bytes GGUF would hold.
 */
final class Cases {

    /** One row of the table; {@code prepare} builds both sides (and allocates) only when the row runs. */
    record Spec(String kernel, String shape, String format, boolean quick, Supplier<Comparison> prepare) {
        String label() {
            return kernel + " " + shape + " " + format;
        }
    }

    /** The backend's local sizes for the device, capped as LaunchGrids caps them. */
    record Local(int matvec, int norm, int attention, int elementwise) {
    }

    private static final float EPS = 1e-5f;
    private static final int POS = 600;
    private static final double ROPE_BASE = 10000.0;

    private final Local local;
    private final boolean nativeHalf;
    private final List<Spec> specs = new ArrayList<>();
    private int graphs;

    private Cases(Local local, boolean nativeHalf) {
        this.local = local;
        this.nativeHalf = nativeHalf;
    }

    /** Every comparison; {@code nativeHalf} adds the HalfFloatArray mat-vec (PTX). */
    static List<Spec> all(Local local, boolean nativeHalf) {
        Cases c = new Cases(local, nativeHalf);
        c.define();
        return c.specs;
    }

    private void define() {
        // decode mat-vecs: attention projections (2048x2048, 4096x4096), FFN up/gate and down, LM head rows
        matVec(GGMLType.F32, 2048, 2048, "1B q/o proj", true);
        matVec(GGMLType.F16, 2048, 2048, "1B q/o proj", true);
        matVec(GGMLType.Q8_0, 2048, 2048, "1B q/o proj", true);
        matVec(GGMLType.Q8_0, 5632, 2048, "1B ffn up", false);
        matVec(GGMLType.Q8_0, 2048, 5632, "1B ffn down", false);
        matVec(GGMLType.F16, 5632, 2048, "1B ffn up", false);
        matVec(GGMLType.F32, 4096, 4096, "7B q/o proj", false);
        matVec(GGMLType.F16, 4096, 4096, "7B q/o proj", false);
        matVec(GGMLType.Q8_0, 4096, 4096, "7B q/o proj", false);
        matVec(GGMLType.Q8_0, 11008, 4096, "7B ffn up", false);

        rmsNormMatVec(GGMLType.Q8_0, 2048, 2048, "1B q proj", true);
        rmsNormMatVec(GGMLType.F16, 2048, 2048, "1B q proj", false);
        rmsNormMatVec(GGMLType.Q8_0, 4096, 4096, "7B q proj", false);
        gateUpSilu(GGMLType.Q8_0, 5632, 2048, "1B ffn", true);
        gateUpSilu(GGMLType.F16, 5632, 2048, "1B ffn", false);
        gateUpSilu(GGMLType.Q8_0, 11008, 4096, "7B ffn", false);

        // batched products: the ViT's FFN and projector (F16 as in the mmproj), prompt prefill (Q8_0)
        matMul(GGMLType.F16, 577, 4096, 1024, "ViT fc1", true);
        matMul(GGMLType.F16, 577, 1024, 4096, "ViT fc2", false);
        matMul(GGMLType.F32, 577, 1024, 1024, "ViT q proj", false);
        matMul(GGMLType.F16, 576, 4096, 1024, "projector mm.0", false);
        matMul(GGMLType.Q8_0, POS, 2048, 2048, "1B prefill q proj", true);
        matMul(GGMLType.Q8_0, POS, 5632, 2048, "1B prefill ffn up", false);

        rmsNorm(1, 2048, "1B decode", true);
        rmsNorm(1, 4096, "7B decode", false);
        rmsNorm(POS, 2048, "1B prefill", false);
        layerNorm(577, 1024, "ViT", true);
        softmax(1, 32000, "1B logits", true);
        softmax(32 * 8, POS, "score rows", false);

        rope(1, 32, 128, "7B decode q", true);
        rope(POS, 32, 64, "1B prefill q", false);

        causalAttention(1, 32, 4, 64, "1B decode", true);
        causalAttention(1, 32, 32, 128, "7B decode", false);
        causalAttention(64, 32, 4, 64, "1B prefill 64 rows", false);
        fullAttention(577, 16, 64, "ViT", true);

        activation("quick-GELU", 577 * 4096, "ViT fc1 577x4096", true);
        activation("GELU", 576 * 4096, "projector 576x4096", true);
        siluMul(5632, "1B decode 5632", true);
        siluMul(11008, "7B decode 11008", false);
        siluMul(POS * 5632, "1B prefill 600x5632", false);

        embed(GGMLType.Q8_0, 32000, 2048, POS, "1B prefill", true);
        embed(GGMLType.F16, 32000, 2048, POS, "1B prefill", false);
        im2col(3, 336, 14, "ViT 336/14", true);
    }

    private void add(String kernel, String shape, String format, boolean quick, Supplier<Comparison> prepare) {
        specs.add(new Spec(kernel, shape, format, quick, prepare));
    }

    private TaskGraph graph() {
        return new TaskGraph("k" + graphs++);
    }

    private static WeightMatrix weights(GGMLType type, int rows, int cols, long seed) {
        return new WeightMatrix("w" + rows + "x" + cols, type, RandomWeights.matrix(type, rows, cols, seed), rows, cols);
    }

    private static float[] ones(int n, long seed) {
        // norm weights near 1, as trained ones are
        float[] w = RandomWeights.vector(n, seed);
        for (int i = 0; i < n; i++) {
            w[i] = 1 + 0.1f * w[i];
        }
        return w;
    }

    private static String shape(int rows, int cols) {
        return rows + "x" + cols;
    }

    private void matVec(GGMLType type, int rows, int cols, String what, boolean quick) {
        add("MatVec", what + " " + shape(rows, cols), type.name(), quick, () -> matVecCase(type, rows, cols, false));
        if (type == GGMLType.F16 && nativeHalf) {
            add("MatVec", what + " " + shape(rows, cols), "F16 half", quick, () -> matVecCase(type, rows, cols, true));
        }
    }

    private Comparison matVecCase(GGMLType type, int rows, int cols, boolean half) {
        WeightMatrix w = weights(type, rows, cols, 42);
        DeviceWeights dw = DeviceWeights.of(w);
        float[] x = RandomWeights.vector(cols, 7);
        float[] y = new float[rows];
        FloatArray xa = FloatArray.fromArray(x);
        FloatArray ya = new FloatArray(rows);
        KernelContext ctx = new KernelContext();
        TaskGraph g = graph();
        switch (type) {
            case F32 -> g.transferToDevice(FIRST_EXECUTION, dw.f32(), xa).task("t", MatVec::matVecF32, ctx, dw.f32(), xa, ya, rows, cols, 0);
            case F16 -> {
                if (half) {
                    var h = dw.half();
                    g.transferToDevice(FIRST_EXECUTION, h, xa).task("t", MatVec::matVecHalf, ctx, h, xa, ya, rows, cols, 0);
                } else {
                    g.transferToDevice(FIRST_EXECUTION, dw.f16(), xa).task("t", MatVec::matVecF16, ctx, dw.f16(), xa, ya, rows, cols, 0);
                }
            }
            case Q8_0 -> g.transferToDevice(FIRST_EXECUTION, dw.quants(), dw.scales(), xa)
                    .task("t", MatVec::matVecQ8, ctx, dw.quants(), dw.scales(), xa, ya, rows, cols, 0);
            default -> throw new IllegalArgumentException(type.name());
        }
        g.transferToHost(UNDER_DEMAND, ya);
        return new Comparison(new Cpu(() -> w.matvec(x, 0, y, 0), y), new Device(g, Grids.perRow(rows, local.matvec()), ya));
    }

    private void rmsNormMatVec(GGMLType type, int rows, int cols, String what, boolean quick) {
        add("Fused rmsNorm+matVec", what + " " + shape(rows, cols), type.name(), quick, () -> {
            WeightMatrix w = weights(type, rows, cols, 42);
            DeviceWeights dw = DeviceWeights.of(w);
            float[] x = RandomWeights.vector(cols, 7);
            float[] nw = ones(cols, 8);
            float[] xb = new float[cols];
            float[] y = new float[rows];
            FloatArray xa = FloatArray.fromArray(x);
            FloatArray nwa = FloatArray.fromArray(nw);
            FloatArray ya = new FloatArray(rows);
            KernelContext ctx = new KernelContext();
            TaskGraph g = graph();
            switch (type) {
                case F16 -> g.transferToDevice(FIRST_EXECUTION, xa, nwa, dw.f16())
                        .task("t", FusedMatVec::rmsNormMatVecF16, ctx, xa, nwa, dw.f16(), ya, rows, cols, EPS, 0);
                case Q8_0 -> g.transferToDevice(FIRST_EXECUTION, xa, nwa, dw.quants(), dw.scales())
                        .task("t", FusedMatVec::rmsNormMatVecQ8, ctx, xa, nwa, dw.quants(), dw.scales(), ya, rows, cols, EPS, 0);
                default -> throw new IllegalArgumentException(type.name());
            }
            g.transferToHost(UNDER_DEMAND, ya);
            Runnable cpu = () -> {
                io.github.tornadollava.kernels.cpu.Norms.rmsnorm(xb, 0, x, 0, nw, cols, EPS);
                w.matvec(xb, 0, y, 0);
            };
            return new Comparison(new Cpu(cpu, y), new Device(g, Grids.perRow(rows, local.matvec()), ya));
        });
    }

    private void gateUpSilu(GGMLType type, int rows, int cols, String what, boolean quick) {
        add("Fused rmsNorm+gate/up+SiLU", what + " 2x" + shape(rows, cols), type.name(), quick, () -> {
            WeightMatrix gate = weights(type, rows, cols, 42);
            WeightMatrix up = weights(type, rows, cols, 43);
            DeviceWeights dg = DeviceWeights.of(gate);
            DeviceWeights du = DeviceWeights.of(up);
            float[] x = RandomWeights.vector(cols, 7);
            float[] nw = ones(cols, 8);
            float[] xb = new float[cols];
            float[] g1 = new float[rows];
            float[] u1 = new float[rows];
            FloatArray xa = FloatArray.fromArray(x);
            FloatArray nwa = FloatArray.fromArray(nw);
            FloatArray ya = new FloatArray(rows);
            KernelContext ctx = new KernelContext();
            TaskGraph g = graph();
            switch (type) {
                case F16 -> g.transferToDevice(FIRST_EXECUTION, xa, nwa, dg.f16(), du.f16())
                        .task("t", FusedMatVec::rmsNormGateUpSiluF16, ctx, xa, nwa, dg.f16(), du.f16(), ya, rows, cols, EPS);
                case Q8_0 -> g.transferToDevice(FIRST_EXECUTION, xa, nwa, dg.quants(), dg.scales(), du.quants(), du.scales())
                        .task("t", FusedMatVec::rmsNormGateUpSiluQ8, ctx, xa, nwa, dg.quants(), dg.scales(), du.quants(), du.scales(), ya, rows, cols, EPS);
                default -> throw new IllegalArgumentException(type.name());
            }
            g.transferToHost(UNDER_DEMAND, ya);
            Runnable cpu = () -> {
                io.github.tornadollava.kernels.cpu.Norms.rmsnorm(xb, 0, x, 0, nw, cols, EPS);
                gate.matvec(xb, 0, g1, 0);
                up.matvec(xb, 0, u1, 0);
                Activations.siluMul(g1, 0, u1, 0, rows);
            };
            return new Comparison(new Cpu(cpu, g1), new Device(g, Grids.perRow(rows, local.matvec()), ya));
        });
    }

    private void matMul(GGMLType type, int tokens, int rows, int cols, String what, boolean quick) {
        add("MatMul (tiled)", what + " " + tokens + "x" + cols + "->" + rows, type.name(), quick, () -> {
            WeightMatrix w = weights(type, rows, cols, 42);
            DeviceWeights dw = DeviceWeights.of(w);
            float[] x = RandomWeights.vector(tokens * cols, 7);
            float[] y = new float[tokens * rows];
            FloatArray xa = FloatArray.fromArray(x);
            FloatArray bias = new FloatArray(1);
            FloatArray ya = new FloatArray(tokens * rows);
            KernelContext ctx = new KernelContext();
            TaskGraph g = graph();
            switch (type) {
                case F32 -> g.transferToDevice(FIRST_EXECUTION, xa, dw.f32(), bias)
                        .task("t", MatMul::matMulF32, ctx, xa, dw.f32(), bias, ya, tokens, rows, cols, 0, 0);
                case F16 -> g.transferToDevice(FIRST_EXECUTION, xa, dw.f16(), bias)
                        .task("t", MatMul::matMulF16, ctx, xa, dw.f16(), bias, ya, tokens, rows, cols, 0, 0);
                case Q8_0 -> g.transferToDevice(FIRST_EXECUTION, xa, dw.quants(), dw.scales(), bias)
                        .task("t", MatMul::matMulQ8, ctx, xa, dw.quants(), dw.scales(), bias, ya, tokens, rows, cols, 0, 0);
                default -> throw new IllegalArgumentException(type.name());
            }
            g.transferToHost(UNDER_DEMAND, ya);
            return new Comparison(new Cpu(() -> w.matmul(x, tokens, y), y), new Device(g, Grids.matMul(tokens, rows), ya));
        });
    }

    private void rmsNorm(int rows, int dim, String what, boolean quick) {
        add("RMSNorm", what + " " + shape(rows, dim), "F32", quick, () -> {
            float[] x = RandomWeights.vector(rows * dim, 7);
            float[] w = ones(dim, 8);
            float[] out = new float[rows * dim];
            FloatArray xa = FloatArray.fromArray(x);
            FloatArray wa = FloatArray.fromArray(w);
            FloatArray oa = new FloatArray(rows * dim);
            TaskGraph g = graph().transferToDevice(FIRST_EXECUTION, xa, wa)
                    .task("t", Norms::rmsNorm, new KernelContext(), xa, wa, oa, dim, EPS)
                    .transferToHost(UNDER_DEMAND, oa);
            return new Comparison(new Cpu(() -> CpuKernels.rmsNormRows(out, x, w, rows, dim, EPS), out), new Device(g, Grids.perRow(rows, local.norm()), oa));
        });
    }

    private void layerNorm(int rows, int dim, String what, boolean quick) {
        add("LayerNorm", what + " " + shape(rows, dim), "F32", quick, () -> {
            float[] x = RandomWeights.vector(rows * dim, 7);
            for (int i = 0; i < x.length; i++) {
                x[i] += 3; // a large mean, as the tower's residual stream has
            }
            float[] w = ones(dim, 8);
            float[] b = RandomWeights.vector(dim, 9);
            float[] out = new float[rows * dim];
            FloatArray xa = FloatArray.fromArray(x);
            FloatArray wa = FloatArray.fromArray(w);
            FloatArray ba = FloatArray.fromArray(b);
            FloatArray oa = new FloatArray(rows * dim);
            TaskGraph g = graph().transferToDevice(FIRST_EXECUTION, xa, wa, ba)
                    .task("t", Norms::layerNorm, new KernelContext(), xa, wa, ba, oa, dim, EPS)
                    .transferToHost(UNDER_DEMAND, oa);
            return new Comparison(new Cpu(() -> CpuKernels.layerNormRows(out, x, w, b, rows, dim, EPS), out), new Device(g, Grids.perRow(rows, local.norm()), oa));
        });
    }

    private void softmax(int rows, int cols, String what, boolean quick) {
        add("Softmax", what + " " + shape(rows, cols), "F32", quick, () -> {
            float[] original = RandomWeights.vector(rows * cols, 7);
            for (int i = 0; i < original.length; i++) {
                original[i] *= 10;
            }
            float[] x = original.clone();
            FloatArray xa = FloatArray.fromArray(original);
            TaskGraph g = graph().transferToDevice(FIRST_EXECUTION, xa)
                    .task("t", Softmax::softmaxRows, new KernelContext(), xa, cols)
                    .transferToHost(UNDER_DEMAND, xa);
            Cpu cpu = new Cpu(() -> System.arraycopy(original, 0, x, 0, x.length), () -> CpuKernels.softmaxRows(x, rows, cols), x);
            return new Comparison(cpu, new Device(g, Grids.perRow(rows, local.norm()), xa));
        });
    }

    private void rope(int tokens, int heads, int headDim, String what, boolean quick) {
        add("RoPE", what + " " + tokens + "x" + heads + "x" + headDim, "F32", quick, () -> {
            int n = tokens * heads * headDim;
            float[] original = RandomWeights.vector(n, 7);
            float[] x = original.clone();
            int[] positions = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                positions[t] = tokens == 1 ? POS : t;
            }
            DoubleArray invFreq = Rope.inverseFrequencies(headDim, ROPE_BASE);
            double[] theta = invFreq.toHeapArray();
            FloatArray xa = FloatArray.fromArray(original);
            IntArray pa = IntArray.fromArray(positions);
            TaskGraph g = graph().transferToDevice(FIRST_EXECUTION, xa, pa, invFreq)
                    .task("t", Rope::rope, new KernelContext(), xa, pa, invFreq, tokens, heads, headDim)
                    .transferToHost(UNDER_DEMAND, xa);
            Cpu cpu = new Cpu(() -> System.arraycopy(original, 0, x, 0, n), () -> CpuKernels.rope(x, positions, theta, tokens, heads, headDim), x);
            return new Comparison(cpu, new Device(g, Grids.elementwise(n / 2, local.elementwise()), xa));
        });
    }

    private int attentionLocal(int headDim) {
        return Math.max(local.attention(), Grids.localSizeFor(headDim));
    }

    /** {@code rows} query rows at positions POS - rows + 1 .. POS over a filled cache of POS + 1 positions. */
    private void causalAttention(int rows, int heads, int kvHeads, int headDim, String what, boolean quick) {
        int keys = POS + 1;
        add("Attention causal (KV cache)", what + " " + heads + "/" + kvHeads + "x" + headDim + " @" + keys, "F32", quick, () -> {
            int kvDim = kvHeads * headDim;
            int pos0 = keys - rows;
            float[] q = RandomWeights.vector(rows * heads * headDim, 7);
            // device cache [position][kvHead][d]; the CPU decoder's is its chunked off-heap KVCache
            float[] kDev = RandomWeights.vector(keys * kvDim, 8);
            float[] vDev = RandomWeights.vector(keys * kvDim, 9);
            KVCache cache = new KVCache(1, kvHeads, headDim, keys);
            for (int p = 0; p < keys; p++) {
                cache.store(0, p, kDev, p * kvDim, vDev, p * kvDim);
            }
            int[] positions = new int[rows];
            for (int i = 0; i < rows; i++) {
                positions[i] = pos0 + i;
            }
            float scale = (float) (1.0 / Math.sqrt(headDim));
            float[] out = new float[rows * heads * headDim];
            FloatArray qa = FloatArray.fromArray(q);
            FloatArray ka = FloatArray.fromArray(kDev);
            FloatArray va = FloatArray.fromArray(vDev);
            IntArray pa = IntArray.fromArray(positions);
            FloatArray oa = new FloatArray(out.length);
            TaskGraph g = graph().transferToDevice(FIRST_EXECUTION, qa, ka, va, pa)
                    .task("t", Attention::causalAttention, new KernelContext(), qa, ka, va, oa, pa, 0, heads, kvHeads, headDim, scale)
                    .transferToHost(UNDER_DEMAND, oa);
            Runnable cpu = () -> CpuKernels.causalAttention(q, cache, out, pos0, rows, heads, kvHeads, headDim, scale);
            return new Comparison(new Cpu(cpu, out), new Device(g, Grids.perRow(rows * heads, attentionLocal(headDim)), oa));
        });
    }

    private void fullAttention(int tokens, int heads, int headDim, String what, boolean quick) {
        add("Attention full", what + " " + tokens + "x" + heads + "x" + headDim, "F32", quick, () -> {
            int n = tokens * heads * headDim;
            float[] q = RandomWeights.vector(n, 7);
            float[] k = RandomWeights.vector(n, 8);
            float[] v = RandomWeights.vector(n, 9);
            float[] out = new float[n];
            FloatArray qa = FloatArray.fromArray(q);
            FloatArray ka = FloatArray.fromArray(k);
            FloatArray va = FloatArray.fromArray(v);
            FloatArray oa = new FloatArray(n);
            float scale = (float) (1.0 / Math.sqrt(headDim));
            TaskGraph g = graph().transferToDevice(FIRST_EXECUTION, qa, ka, va)
                    .task("t", Attention::fullAttention, new KernelContext(), qa, ka, va, oa, tokens, heads, heads, headDim, scale)
                    .transferToHost(UNDER_DEMAND, oa);
            Runnable cpu = () -> FullAttention.forward(q, k, v, out, tokens, heads, headDim, heads * headDim, scale);
            return new Comparison(new Cpu(cpu, out), new Device(g, Grids.perRow(tokens * heads, attentionLocal(headDim)), oa));
        });
    }

    /** Element-wise, in parallel chunks as the CPU backend runs it. */
    private void activation(String name, int n, String what, boolean quick) {
        add(name, what, "F32", quick, () -> {
            float[] original = RandomWeights.vector(n, 7);
            for (int i = 0; i < n; i++) {
                original[i] *= 4;
            }
            float[] x = original.clone();
            FloatArray xa = FloatArray.fromArray(original);
            FloatArray oa = new FloatArray(n);
            KernelContext ctx = new KernelContext();
            TaskGraph g = graph().transferToDevice(FIRST_EXECUTION, xa);
            Runnable cpu;
            if (name.equals("GELU")) {
                g.task("t", io.github.tornadollava.kernels.tornado.Activations::geluErf, ctx, xa, oa, n);
                cpu = () -> Parallel.forRange(n, 4096, (s, e) -> Activations.gelu(x, s, e - s));
            } else {
                g.task("t", io.github.tornadollava.kernels.tornado.Activations::quickGelu, ctx, xa, oa, n);
                cpu = () -> Parallel.forRange(n, 4096, (s, e) -> Activations.quickGelu(x, s, e - s));
            }
            g.transferToHost(UNDER_DEMAND, oa);
            return new Comparison(new Cpu(() -> System.arraycopy(original, 0, x, 0, n), cpu, x), new Device(g, Grids.elementwise(n, local.elementwise()), oa));
        });
    }

    private void siluMul(int n, String what, boolean quick) {
        add("SiLU-mul", what, "F32", quick, () -> {
            float[] original = RandomWeights.vector(n, 7);
            float[] up = RandomWeights.vector(n, 8);
            float[] gate = original.clone();
            FloatArray ga = FloatArray.fromArray(original);
            FloatArray ua = FloatArray.fromArray(up);
            FloatArray oa = new FloatArray(n);
            TaskGraph g = graph().transferToDevice(FIRST_EXECUTION, ga, ua)
                    .task("t", io.github.tornadollava.kernels.tornado.Activations::siluMul, new KernelContext(), ga, ua, oa, n)
                    .transferToHost(UNDER_DEMAND, oa);
            Cpu cpu = new Cpu(() -> System.arraycopy(original, 0, gate, 0, n),
                    () -> Parallel.forRange(n, 4096, (s, e) -> Activations.siluMul(gate, s, up, s, e - s)), gate);
            return new Comparison(cpu, new Device(g, Grids.elementwise(n, local.elementwise()), oa));
        });
    }

    private void embed(GGMLType type, int vocab, int dim, int tokens, String what, boolean quick) {
        add("Embedding lookup", what + " " + tokens + " of " + vocab + "x" + dim, type.name(), quick, () -> {
            WeightMatrix table = weights(type, vocab, dim, 42);
            DeviceWeights dw = DeviceWeights.of(table);
            SplittableRandom random = new SplittableRandom(5);
            int[] ids = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                ids[t] = random.nextInt(vocab);
            }
            float[] out = new float[tokens * dim];
            IntArray ia = IntArray.fromArray(ids);
            FloatArray oa = new FloatArray(tokens * dim);
            KernelContext ctx = new KernelContext();
            TaskGraph g = graph();
            switch (type) {
                case F16 -> g.transferToDevice(FIRST_EXECUTION, dw.f16(), ia).task("t", Embeddings::embedF16, ctx, dw.f16(), ia, oa, tokens, dim);
                case Q8_0 -> g.transferToDevice(FIRST_EXECUTION, dw.quants(), dw.scales(), ia)
                        .task("t", Embeddings::embedQ8, ctx, dw.quants(), dw.scales(), ia, oa, tokens, dim);
                default -> throw new IllegalArgumentException(type.name());
            }
            g.transferToHost(UNDER_DEMAND, oa);
            Runnable cpu = () -> {
                for (int t = 0; t < tokens; t++) {
                    table.dequantizeRow(ids[t], out, t * dim);
                }
            };
            return new Comparison(new Cpu(cpu, out), new Device(g, Grids.elementwise(tokens * dim, local.elementwise()), oa));
        });
    }

    private void im2col(int channels, int size, int patch, String what, boolean quick) {
        add("Patch im2col", what, "F32", quick, () -> {
            float[] image = RandomWeights.vector(channels * size * size, 7);
            int n = (size / patch) * (size / patch) * channels * patch * patch;
            float[] patches = new float[n];
            FloatArray ia = FloatArray.fromArray(image);
            FloatArray pa = new FloatArray(n);
            TaskGraph g = graph().transferToDevice(FIRST_EXECUTION, ia)
                    .task("t", Embeddings::im2col, new KernelContext(), ia, pa, channels, size, patch)
                    .transferToHost(UNDER_DEMAND, pa);
            return new Comparison(new Cpu(() -> Im2col.unfold(image, channels, size, patch, patches, 0), patches),
                    new Device(g, Grids.elementwise(n, local.elementwise()), pa));
        });
    }
}
