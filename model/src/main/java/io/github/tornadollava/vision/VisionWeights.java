package io.github.tornadollava.vision;

import java.util.ArrayList;
import java.util.List;

import io.github.tornadollava.gguf.GGUFException;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.GGUFTensorInfo;
import io.github.tornadollava.gguf.TensorLoader;
import io.github.tornadollava.kernels.cpu.WeightMatrix;
import io.github.tornadollava.kernels.format.WeightFormats;

/**
 * The CLIP ViT's tensors from an mmproj GGUF, shape-checked against the {@link ClipConfig}.
 * Matrices stay in the memory mapping; vectors (norms, biases, class and position embeddings)
 * are decoded to float arrays. Only the blocks that {@link ClipConfig#blocksToRun()} needs are
 * loaded.
 *
 * @param patchEmbedding the stride-{@code p} convolution as a matrix [n_embd][3*p*p], columns in
 *                       (channel, ky, kx) order: ggml stores the kernel as ne=[p, p, 3, n_embd],
 *                       which is exactly that row-major layout
 * @param patchBias      the convolution bias, or null (CLIP's patch embedding has none)
 * @param positionEmbedding [positionCount][n_embd], row 0 belongs to the CLS token
 */
public record VisionWeights(
        WeightMatrix patchEmbedding,
        float[] patchBias,
        float[] classEmbedding,
        float[] positionEmbedding,
        float[] preLnWeight,
        float[] preLnBias,
        List<Block> blocks) {

    /** One pre-norm transformer block; {@code ffnUp} is CLIP's fc1 (n_embd -> n_ff), {@code ffnDown} fc2. */
    public record Block(
            float[] ln1Weight, float[] ln1Bias,
            WeightMatrix attnQ, float[] attnQBias,
            WeightMatrix attnK, float[] attnKBias,
            WeightMatrix attnV, float[] attnVBias,
            WeightMatrix attnOut, float[] attnOutBias,
            float[] ln2Weight, float[] ln2Bias,
            WeightMatrix ffnUp, float[] ffnUpBias,
            WeightMatrix ffnDown, float[] ffnDownBias) {
    }

    public static VisionWeights load(GGUFFile file, ClipConfig c) {
        TensorLoader t = new TensorLoader(file);
        int e = c.embeddingLength();
        int p = c.patchSize();
        GGUFTensorInfo patch = t.checked("v.patch_embd.weight", p, p, 3, e);
        WeightMatrix patchEmbedding = matrix(file, patch, e, 3 * p * p);
        float[] patchBias = t.has("v.patch_embd.bias") ? t.vector("v.patch_embd.bias", e) : null;
        float[] cls = t.vector("v.class_embd", e);
        float[] pos = t.vector("v.position_embd.weight", e, c.positionCount());
        float[] preW = t.vector("v.pre_ln.weight", e);
        float[] preB = t.vector("v.pre_ln.bias", e);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.blocksToRun(); i++) {
            blocks.add(block(t, c, i));
        }
        return new VisionWeights(patchEmbedding, patchBias, cls, pos, preW, preB, List.copyOf(blocks));
    }

    private static Block block(TensorLoader t, ClipConfig c, int i) {
        int e = c.embeddingLength();
        int ff = c.feedForwardLength();
        String b = "v.blk." + i + ".";
        // The old llava converter wrote fc1 as ffn_down and fc2 as ffn_up. Such a file is
        // recognised by the shape (ffn_down taking n_embd inputs can only be fc1), as llama.cpp
        // does; when n_ff == n_embd the shapes cannot tell and the names are trusted.
        String up = b + "ffn_up";
        String down = b + "ffn_down";
        if (ff != e && t.file().tensor(down + ".weight").ne(0) == e) {
            String swap = up;
            up = down;
            down = swap;
        }
        return new Block(
                t.vector(b + "ln1.weight", e), t.vector(b + "ln1.bias", e),
                t.matrix(b + "attn_q.weight", e, e), t.vector(b + "attn_q.bias", e),
                t.matrix(b + "attn_k.weight", e, e), t.vector(b + "attn_k.bias", e),
                t.matrix(b + "attn_v.weight", e, e), t.vector(b + "attn_v.bias", e),
                t.matrix(b + "attn_out.weight", e, e), t.vector(b + "attn_out.bias", e),
                t.vector(b + "ln2.weight", e), t.vector(b + "ln2.bias", e),
                t.matrix(up + ".weight", ff, e), t.vector(up + ".bias", ff),
                t.matrix(down + ".weight", e, ff), t.vector(down + ".bias", e));
    }

    /** A tensor of any rank whose rows are {@code cols} contiguous values, viewed as a matrix. */
    private static WeightMatrix matrix(GGUFFile file, GGUFTensorInfo info, int rows, int cols) {
        if (!WeightFormats.isSupported(info.type())) {
            throw new GGUFException(file.path(), "tensor '" + info.name() + "' has type " + info.type()
                    + ", which this engine cannot compute with");
        }
        try {
            return new WeightMatrix(info.name(), info.type(), file.tensorData(info), rows, cols);
        } catch (IllegalArgumentException ex) {
            throw new GGUFException(file.path(), ex.getMessage(), ex);
        }
    }
}
