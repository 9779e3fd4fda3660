package io.github.tornadollava.llama;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A small random LLaMA model written as GGUF, plus a naive float64 forward pass over the same
 * weights (no cache, no batching, every position recomputed) as an independent reference for the
 * configuration variants the golden models do not cover: partial RoPE, linear RoPE scaling, tied
 * output head.
 */
final class SyntheticLlama {

    final int dim = 32, nLayers = 2, nHeads = 4, nKvHeads = 2, headDim = 8, hidden = 64, vocab = 40;
    final int context;
    final int ropeDim;
    final float ropeScale;
    final float ropeBase = 500f;
    final float eps = 1e-5f;
    final Map<String, float[]> weights = new LinkedHashMap<>();

    SyntheticLlama(long seed, int ropeDim, float ropeScale) {
        this(seed, ropeDim, ropeScale, 32);
    }

    SyntheticLlama(long seed, int ropeDim, float ropeScale, int context) {
        this.context = context;
        this.ropeDim = ropeDim;
        this.ropeScale = ropeScale;
        Random r = new Random(seed);
        weights.put("token_embd.weight", gaussian(r, vocab * dim, 0, 1));
        for (int l = 0; l < nLayers; l++) {
            String b = "blk." + l + ".";
            weights.put(b + "attn_norm.weight", gaussian(r, dim, 1, 0.1));
            weights.put(b + "attn_q.weight", gaussian(r, dim * dim, 0, 0.3));
            weights.put(b + "attn_k.weight", gaussian(r, nKvHeads * headDim * dim, 0, 0.3));
            weights.put(b + "attn_v.weight", gaussian(r, nKvHeads * headDim * dim, 0, 0.3));
            weights.put(b + "attn_output.weight", gaussian(r, dim * dim, 0, 0.2));
            weights.put(b + "ffn_norm.weight", gaussian(r, dim, 1, 0.1));
            weights.put(b + "ffn_gate.weight", gaussian(r, hidden * dim, 0, 0.2));
            weights.put(b + "ffn_up.weight", gaussian(r, hidden * dim, 0, 0.2));
            weights.put(b + "ffn_down.weight", gaussian(r, dim * hidden, 0, 0.2));
        }
        weights.put("output_norm.weight", gaussian(r, dim, 1, 0.1));
        weights.put("output.weight", gaussian(r, vocab * dim, 0, 0.3));
    }

    /** The model as GGUF; with {@code tied} the file has no output.weight (the head is token_embd). */
    TinyGguf gguf(boolean tied) {
        return gguf(tied, java.util.Set.of());
    }

    /** As {@link #gguf(boolean)}, with the tensors named in {@code q8_0} stored as Q8_0. */
    TinyGguf gguf(boolean tied, java.util.Set<String> q8_0) {
        TinyGguf g = new TinyGguf()
                .put("general.architecture", "llama")
                .put("llama.embedding_length", dim)
                .put("llama.block_count", nLayers)
                .put("llama.attention.head_count", nHeads)
                .put("llama.attention.head_count_kv", nKvHeads)
                .put("llama.feed_forward_length", hidden)
                .put("llama.context_length", context)
                .put("llama.attention.layer_norm_rms_epsilon", eps)
                .put("llama.rope.freq_base", ropeBase)
                .put("llama.rope.dimension_count", ropeDim);
        if (ropeScale != 1f) {
            g.put("llama.rope.scaling.type", "linear").put("llama.rope.scaling.factor", ropeScale);
        }
        weights.forEach((name, data) -> {
            if (tied && name.equals("output.weight")) {
                return;
            }
            int rows = name.startsWith("token_embd") || name.startsWith("output.") ? vocab
                    : name.endsWith("attn_k.weight") || name.endsWith("attn_v.weight") ? nKvHeads * headDim
                    : name.endsWith("ffn_gate.weight") || name.endsWith("ffn_up.weight") ? hidden
                    : name.endsWith("norm.weight") ? 1 : dim;
            int cols = data.length / rows;
            if (rows == 1) {
                g.tensor(name, data, cols);
            } else if (q8_0.contains(name)) {
                g.tensorQ8_0(name, data, cols, rows);
            } else {
                g.tensor(name, data, cols, rows);
            }
        });
        return g;
    }

    /** Logits after each of {@code tokens}, recomputed from scratch in float64. */
    double[][] referenceLogits(int[] tokens, boolean tied) {
        int n = tokens.length;
        int kvDim = nKvHeads * headDim;
        double[][] x = new double[n][];
        for (int p = 0; p < n; p++) {
            x[p] = row(weights.get("token_embd.weight"), tokens[p], dim);
        }
        for (int l = 0; l < nLayers; l++) {
            String b = "blk." + l + ".";
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];
            for (int p = 0; p < n; p++) {
                double[] xn = rmsnorm(x[p], weights.get(b + "attn_norm.weight"));
                q[p] = rope(matvec(weights.get(b + "attn_q.weight"), xn, dim), p, nHeads);
                k[p] = rope(matvec(weights.get(b + "attn_k.weight"), xn, kvDim), p, nKvHeads);
                v[p] = matvec(weights.get(b + "attn_v.weight"), xn, kvDim);
            }
            for (int p = 0; p < n; p++) {
                double[] out = new double[dim];
                for (int h = 0; h < nHeads; h++) {
                    int kvh = h / (nHeads / nKvHeads);
                    double[] s = new double[p + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t <= p; t++) {
                        for (int d = 0; d < headDim; d++) {
                            s[t] += q[p][h * headDim + d] * k[t][kvh * headDim + d];
                        }
                        s[t] /= Math.sqrt(headDim);
                        max = Math.max(max, s[t]);
                    }
                    double sum = 0;
                    for (int t = 0; t <= p; t++) {
                        s[t] = Math.exp(s[t] - max);
                        sum += s[t];
                    }
                    for (int t = 0; t <= p; t++) {
                        for (int d = 0; d < headDim; d++) {
                            out[h * headDim + d] += s[t] / sum * v[t][kvh * headDim + d];
                        }
                    }
                }
                add(x[p], matvec(weights.get(b + "attn_output.weight"), out, dim));
            }
            for (int p = 0; p < n; p++) {
                double[] xn = rmsnorm(x[p], weights.get(b + "ffn_norm.weight"));
                double[] g = matvec(weights.get(b + "ffn_gate.weight"), xn, hidden);
                double[] u = matvec(weights.get(b + "ffn_up.weight"), xn, hidden);
                for (int i = 0; i < hidden; i++) {
                    g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                }
                add(x[p], matvec(weights.get(b + "ffn_down.weight"), g, dim));
            }
        }
        float[] head = weights.get(tied ? "token_embd.weight" : "output.weight");
        double[][] logits = new double[n][];
        for (int p = 0; p < n; p++) {
            logits[p] = matvec(head, rmsnorm(x[p], weights.get("output_norm.weight")), vocab);
        }
        return logits;
    }

    private double[] rope(double[] vec, int pos, int heads) {
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < ropeDim / 2; i++) {
                double angle = pos / (double) ropeScale * Math.pow(ropeBase, -2.0 * i / ropeDim);
                int j = h * headDim + 2 * i;
                double a = vec[j], b = vec[j + 1];
                vec[j] = a * Math.cos(angle) - b * Math.sin(angle);
                vec[j + 1] = a * Math.sin(angle) + b * Math.cos(angle);
            }
        }
        return vec;
    }

    private double[] rmsnorm(double[] x, float[] w) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double scale = 1 / Math.sqrt(ss / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale * w[i];
        }
        return out;
    }

    private static double[] matvec(float[] w, double[] x, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < x.length; c++) {
                out[r] += w[r * x.length + c] * x[c];
            }
        }
        return out;
    }

    private static double[] row(float[] m, int r, int cols) {
        double[] out = new double[cols];
        for (int c = 0; c < cols; c++) {
            out[c] = m[r * cols + c];
        }
        return out;
    }

    private static void add(double[] y, double[] x) {
        for (int i = 0; i < y.length; i++) {
            y[i] += x[i];
        }
    }

    private static float[] gaussian(Random r, int n, double mean, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (mean + std * r.nextGaussian());
        }
        return out;
    }
}
