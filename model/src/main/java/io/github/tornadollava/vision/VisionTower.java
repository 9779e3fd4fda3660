package io.github.tornadollava.vision;

import io.github.tornadollava.kernels.cpu.Activations;
import io.github.tornadollava.kernels.cpu.FullAttention;
import io.github.tornadollava.kernels.cpu.Im2col;
import io.github.tornadollava.kernels.cpu.Norms;
import io.github.tornadollava.kernels.cpu.Parallel;
import io.github.tornadollava.kernels.cpu.WeightMatrix;

/**
 * The CLIP ViT on the CPU, with Hugging Face {@code CLIPVisionModel} semantics as LLaVA uses it:
 *
 * <pre>
 * pixels [3][S][S] -> patches (row-major, each flattened (c, ky, kx)) -> patch matmul (+ bias if stored)
 * -> CLS row first -> + position embeddings -> pre-LN
 * -> blocks: x += attn_out(MHA(ln1 x));  x += ffn_down(act(ffn_up(ln2 x)))
 * -> no post-LN -> drop the CLS row -> [patchCount][n_embd] features
 * </pre>
 *
 * All activations are rows of {@code n_embd} floats, one per token (CLS + patches), so every
 * projection is one batched {@link WeightMatrix#matmul} over all tokens. Attention is full
 * (non-causal), see {@link FullAttention}.
 */
public final class VisionTower {

    /** Receives named intermediate results; for tests and debugging, costs nothing when absent. */
    @FunctionalInterface
    public interface StageObserver {
        /**
         * {@code rows} holds {@code nRows} rows of {@code width} floats. It is the tower's live
         * buffer: copy what you keep.
         */
        void onStage(String stage, float[] rows, int nRows, int width);
    }

    /** Stage after patch + class + position embeddings and the pre-LayerNorm (HF hidden_states[0]). */
    public static final String STAGE_PRE_LN = "pre_ln";

    /** Stage after block {@code i} (0-based; HF hidden_states[i + 1]), CLS row included. */
    public static String blockStage(int i) {
        return "block" + i;
    }

    /** Tokens per parallel chunk for the cheap row-wise ops (norms, biases, activations). */
    private static final int ROW_GRAIN = 8;

    private final ClipConfig config;
    private final VisionWeights weights;

    public VisionTower(ClipConfig config, VisionWeights weights) {
        this.config = config;
        this.weights = weights;
    }

    public ClipConfig config() {
        return config;
    }

    public VisionWeights weights() {
        return weights;
    }

    /**
     * Runs the tower on one preprocessed image.
     *
     * @param pixels   [3][imageSize][imageSize], normalized
     * @param progress told after every block; may be null
     * @param observer receives {@link #STAGE_PRE_LN} and {@link #blockStage(int)}; may be null
     * @return [patchCount][embeddingLength] patch features (CLS dropped)
     */
    public float[] forward(float[] pixels, VisionEncoder.ProgressListener progress, StageObserver observer) {
        if (pixels.length != config.pixelCount()) {
            throw new IllegalArgumentException("expected " + config.pixelCount() + " pixel values ([3][" + config.imageSize()
                    + "][" + config.imageSize() + "]), got " + pixels.length);
        }
        int n = config.positionCount();
        int e = config.embeddingLength();
        Workspace w = new Workspace(n, e, config.feedForwardLength());

        embed(pixels, w.x);
        rows(n, t -> Norms.layernorm(w.x, t * e, w.x, t * e, weights.preLnWeight(), weights.preLnBias(), e, config.layerNormEps()));
        if (observer != null) {
            observer.onStage(STAGE_PRE_LN, w.x, n, e);
        }
        int total = weights.blocks().size();
        for (int i = 0; i < total; i++) {
            block(weights.blocks().get(i), w);
            if (observer != null) {
                observer.onStage(blockStage(i), w.x, n, e);
            }
            if (progress != null) {
                progress.blocksDone(i + 1, total);
            }
        }
        float[] features = new float[config.patchCount() * e];
        System.arraycopy(w.x, e, features, 0, features.length);
        return features;
    }

    /** Activation buffers for one image, allocated once per call and reused by every block. */
    private static final class Workspace {
        final float[] x, norm, q, k, v, attn, hidden;

        Workspace(int n, int e, int ff) {
            x = new float[n * e];
            norm = new float[n * e];
            q = new float[n * e];
            k = new float[n * e];
            v = new float[n * e];
            attn = new float[n * e];
            hidden = new float[n * ff];
        }
    }

    /**
     * Conv2d(kernel = stride = p, no padding) as im2col + matmul. Row 0 of the patch matrix is
     * left zero so the product's row 0 is zero too and becomes the CLS row; HF puts CLS first.
     */
    private void embed(float[] pixels, float[] x) {
        int s = config.imageSize();
        int p = config.patchSize();
        int n = config.positionCount();
        int e = config.embeddingLength();
        int cols = 3 * p * p;
        float[] patches = new float[n * cols];
        Im2col.unfold(pixels, 3, s, p, patches, cols); // from row 1: row 0 is the CLS row
        weights.patchEmbedding().matmul(patches, n, x);
        float[] cls = weights.classEmbedding();
        float[] bias = weights.patchBias();
        float[] pos = weights.positionEmbedding();
        for (int t = 0; t < n; t++) {
            int o = t * e;
            for (int i = 0; i < e; i++) {
                float add = t == 0 ? cls[i] : bias == null ? 0f : bias[i];
                x[o + i] += add + pos[o + i];
            }
        }
    }

    private void block(VisionWeights.Block b, Workspace w) {
        int n = config.positionCount();
        int e = config.embeddingLength();
        int ff = config.feedForwardLength();
        float eps = config.layerNormEps();

        rows(n, t -> Norms.layernorm(w.norm, t * e, w.x, t * e, b.ln1Weight(), b.ln1Bias(), e, eps));
        b.attnQ().matmul(w.norm, n, w.q, b.attnQBias());
        b.attnK().matmul(w.norm, n, w.k, b.attnKBias());
        b.attnV().matmul(w.norm, n, w.v, b.attnVBias());
        attention(w);
        b.attnOut().matmulAdd(w.attn, n, w.x, b.attnOutBias());

        rows(n, t -> Norms.layernorm(w.norm, t * e, w.x, t * e, b.ln2Weight(), b.ln2Bias(), e, eps));
        b.ffnUp().matmul(w.norm, n, w.hidden, b.ffnUpBias());
        boolean gelu = config.useGelu();
        rows(n, t -> {
            if (gelu) {
                Activations.gelu(w.hidden, t * ff, ff);
            } else {
                Activations.quickGelu(w.hidden, t * ff, ff);
            }
        });
        b.ffnDown().matmulAdd(w.hidden, n, w.x, b.ffnDownBias());
    }

    /** softmax(q k^T / sqrt(d)) v per head over all tokens; head h is columns [h*d, (h+1)*d) of the rows. */
    private void attention(Workspace w) {
        int d = config.headDim();
        FullAttention.forward(w.q, w.k, w.v, w.attn, config.positionCount(), config.headCount(), d,
                config.embeddingLength(), (float) (1.0 / Math.sqrt(d)));
    }

    @FunctionalInterface
    private interface RowBody {
        void run(int token);
    }

    /** Runs {@code body} for every token row, in parallel chunks. */
    private static void rows(int n, RowBody body) {
        Parallel.forRange(n, ROW_GRAIN, (start, end) -> {
            for (int t = start; t < end; t++) {
                body.run(t);
            }
        });
    }
}
