package io.github.tornadollava.runner;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.GGUFTensorInfo;
import io.github.tornadollava.llama.LlamaConfig;
import io.github.tornadollava.vision.ClipConfig;

/**
 * What {@code llava bench}'s runs compute and read, from the GGUF's tensor shapes, so that a rate
 * can be set against a machine's FMA peak and memory bandwidth, and compared across engines whose
 * tokens per second are not comparable (other models, other quantizations):
 * <ul>
 * <li>decode (tg) reads every layer weight and the output head once per token: weight bytes per
 * token (the KV cache and the one embedding row it gathers are left out: the 1B shape's cache
 * at 600 positions is 27 MB, 2.5% of its Q8_0 weights);</li>
 * <li>prefill (pp) multiplies every layer matrix with every row, the head with the last row only
 * (as the decoder does), and attends each row to the positions before it: 2 flops per
 * multiply-add;</li>
 * <li>an image encode runs the patch embedding, the blocks that feed the projector (with their
 * full attention over the CLS row and the patches) and the projector.</li>
 * </ul>
 * Norms, activations, RoPE and softmax are left out: under 1% of the flops (the ViT's softmax,
 * the largest, ~0.7%).
 */
record WorkCost(long layerWeightBytes, long headBytes, long layerMatrixElements, long headElements) {

    /** The language model's layer and head tensors, as the decoder uses them (the head is the embedding when tied). */
    static WorkCost ofLanguageModel(GGUFFile file) {
        long bytes = 0;
        long elements = 0;
        for (GGUFTensorInfo t : file.tensors()) {
            if (t.name().startsWith("blk.")) {
                bytes += t.byteSize();
                if (t.dims() >= 2) {
                    elements += t.elementCount();
                }
            }
        }
        GGUFTensorInfo head = file.findTensor("output.weight").orElseGet(() -> file.tensor("token_embd.weight"));
        return new WorkCost(bytes, head.byteSize(), elements, head.elementCount());
    }

    /** Weight bytes one decoded token reads. */
    long decodeBytesPerToken() {
        return layerWeightBytes + headBytes;
    }

    /** Flops of prefilling {@code n} rows after {@code depth} positions already in the context. */
    double prefillFlops(LlamaConfig c, int n, int depth) {
        // row i attends to depth + i + 1 positions: q.k and the weighted sum of v, per query dimension
        double keys = (double) n * depth + (double) n * (n + 1) / 2;
        return 2.0 * n * layerMatrixElements + 2.0 * headElements + 4.0 * c.qDim() * c.nLayers() * keys;
    }

    /** Flops of one image encode: patch embedding, the blocks that run, the projector. */
    static double imageFlops(GGUFFile mmproj, ClipConfig c) {
        int rows = c.positionCount();
        int blocks = c.blocksToRun();
        double flops = 0;
        for (GGUFTensorInfo t : mmproj.tensors()) {
            String name = t.name();
            if (t.dims() < 2) {
                continue;
            }
            if (name.startsWith("v.patch_embd.")) {
                flops += 2.0 * c.patchCount() * t.elementCount();
            } else if (name.startsWith("v.blk.") && blockIndex(name) < blocks) {
                flops += 2.0 * rows * t.elementCount();
            } else if (name.startsWith("mm.")) {
                flops += 2.0 * c.patchCount() * t.elementCount();
            }
        }
        // full attention per block: q.k and the weighted sum of v over all rows
        return flops + 4.0 * rows * rows * c.embeddingLength() * blocks;
    }

    /** N of {@code v.blk.N.<tensor>}. */
    private static int blockIndex(String name) {
        int start = "v.blk.".length();
        int end = name.indexOf('.', start);
        return Integer.parseInt(name.substring(start, end));
    }
}
