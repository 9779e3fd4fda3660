package io.github.tornadollava.vision;

import java.util.Arrays;

import io.github.tornadollava.gguf.GGUFArray;
import io.github.tornadollava.gguf.GGUFException;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.projector.ProjectorType;

/**
 * Hyper-parameters of a LLaVA mmproj file: the CLIP ViT and its projector, read from the
 * {@code clip.*} metadata that llama.cpp's converters write.
 *
 * <p>Keys that are present in published files but irrelevant here are ignored on purpose:
 * {@code clip.vision.projection_dim} (CLIP's contrastive head, which LLaVA does not use),
 * {@code clip.has_text_encoder}, and the LLaVA-1.6 "anyres" keys
 * ({@code clip.vision.image_grid_pinpoints}, {@code clip.vision.mm_patch_merge_type}, ...):
 * this engine feeds one square image per {@code <image>} as LLaVA-1.5 does.
 *
 * @param featureLayer value of {@code clip.vision.feature_layer}, or -1 when the file has none;
 *                     see {@link #blocksToRun()}
 * @param useGelu      exact GELU in the ViT MLPs when true, CLIP's quick-GELU otherwise
 */
public record ClipConfig(
        int imageSize,
        int patchSize,
        int embeddingLength,
        int feedForwardLength,
        int blockCount,
        int headCount,
        float layerNormEps,
        int featureLayer,
        float[] imageMean,
        float[] imageStd,
        ProjectorType projectorType,
        boolean useGelu) {

    public static final String ARCHITECTURE = "clip";

    /** Patches per image side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Image tokens produced per image (the CLS row is dropped): 576 for 336 px / 14. */
    public int patchCount() {
        return gridSize() * gridSize();
    }

    /** Rows the ViT works on: the CLS row plus one per patch. */
    public int positionCount() {
        return patchCount() + 1;
    }

    public int headDim() {
        return embeddingLength / headCount;
    }

    /** Floats in one preprocessed image, laid out [3][imageSize][imageSize]. */
    public int pixelCount() {
        return 3 * imageSize * imageSize;
    }

    /**
     * How many stored blocks run, i.e. which HF {@code hidden_states[k]} feeds the projector.
     *
     * <p>Without {@code clip.vision.feature_layer}: all of them. LLaVA's converter drops CLIP's last
     * layer from the mmproj, so the last stored block's output is HF {@code hidden_states[-2]},
     * LLaVA's default {@code vision_feature_layer}. (llama.cpp runs one block fewer here, which
     * is a known divergence from transformers that this engine deliberately does not copy.)
     *
     * <p>With the key: its value k is a non-negative index into HF {@code hidden_states}
     * (0 = the pre-LN embeddings, k = output of block k-1), which is how llama.cpp's converter
     * normalises {@code vision_feature_layer} / {@code mm_vision_select_layer}; k blocks run.
     */
    public int blocksToRun() {
        return featureLayer < 0 ? blockCount : featureLayer;
    }

    /**
     * Reads and validates the configuration; every problem is a {@link GGUFException} naming the file.
     */
    public static ClipConfig from(GGUFFile file) {
        String arch = file.getString("general.architecture", null);
        if (!ARCHITECTURE.equals(arch)) {
            throw new GGUFException(file.path(), "not a CLIP/mmproj file: general.architecture is "
                    + (arch == null ? "missing" : "'" + arch + "'") + ", expected '" + ARCHITECTURE
                    + "' (pass the LLaVA mmproj GGUF as the vision model, not the language model)");
        }
        if (!file.getBoolean("clip.has_vision_encoder", false)) {
            throw new GGUFException(file.path(), "clip.has_vision_encoder is not true: this CLIP file has no vision encoder");
        }
        String projName = file.getString("clip.projector_type", null);
        if (projName == null) {
            // Files from llava's converter before January 2024 (e.g. the widely used LLaVA-1.5
            // mmproj-model-f16.gguf) have no projector_type: their only projector was the MLP, and
            // llama.cpp defaulted to it for them.
            if (!file.getBoolean("clip.has_llava_projector", false)) {
                throw new GGUFException(file.path(), "missing metadata key 'clip.projector_type' (expected 'mlp' or 'linear')");
            }
            projName = ProjectorType.MLP.ggufName();
        }
        ProjectorType projector = ProjectorType.fromGgufName(projName);
        if (projector == null) {
            throw new GGUFException(file.path(), "unsupported projector type clip.projector_type='" + projName
                    + "': this engine runs LLaVA projectors 'mlp' (LLaVA-1.5) and 'linear' (LLaVA v1)");
        }
        if (file.getBoolean("clip.use_silu", false)) {
            throw new GGUFException(file.path(), "clip.use_silu=true: SiLU vision MLPs are not LLaVA's CLIP and are not supported");
        }

        int imageSize = positive(file, "clip.vision.image_size");
        int patchSize = positive(file, "clip.vision.patch_size");
        int embd = positive(file, "clip.vision.embedding_length");
        int ff = positive(file, "clip.vision.feed_forward_length");
        int blocks = positive(file, "clip.vision.block_count");
        int heads = positive(file, "clip.vision.attention.head_count");
        float eps = file.getFloat("clip.vision.attention.layer_norm_epsilon");
        if (!(eps > 0f) || Float.isInfinite(eps)) {
            throw new GGUFException(file.path(), "clip.vision.attention.layer_norm_epsilon must be a positive number, got " + eps);
        }
        if (imageSize % patchSize != 0) {
            throw new GGUFException(file.path(), "clip.vision.image_size " + imageSize + " is not a multiple of clip.vision.patch_size " + patchSize);
        }
        if (embd % heads != 0) {
            throw new GGUFException(file.path(), "clip.vision.embedding_length " + embd + " is not a multiple of the head count " + heads);
        }
        long grid = imageSize / patchSize;
        long positions = grid * grid + 1;
        if (positions * Math.max(embd, ff) > Integer.MAX_VALUE - 8 || 3L * imageSize * imageSize > Integer.MAX_VALUE - 8
                || 3L * patchSize * patchSize * positions > Integer.MAX_VALUE - 8) {
            throw new GGUFException(file.path(), "image_size " + imageSize + " / patch_size " + patchSize
                    + " / widths " + embd + ", " + ff + " give activations too large for one image");
        }
        int featureLayer = featureLayer(file, blocks);
        float[] mean = rgb(file, "clip.vision.image_mean");
        float[] std = rgb(file, "clip.vision.image_std");
        for (float s : std) {
            if (!(s > 0f)) {
                throw new GGUFException(file.path(), "clip.vision.image_std must be positive, got " + Arrays.toString(std));
            }
        }
        boolean gelu = file.getBoolean("clip.use_gelu", false);
        return new ClipConfig(imageSize, patchSize, embd, ff, blocks, heads, eps, featureLayer, mean, std, projector, gelu);
    }

    private static int positive(GGUFFile file, String key) {
        int v = file.getInt(key);
        if (v <= 0) {
            throw new GGUFException(file.path(), "metadata '" + key + "' must be positive, got " + v);
        }
        return v;
    }

    private static float[] rgb(GGUFFile file, String key) {
        float[] v = file.getFloatArray(key);
        if (v.length != 3) {
            throw new GGUFException(file.path(), "metadata '" + key + "' must hold 3 values (R, G, B), got " + v.length);
        }
        return v.clone();
    }

    /**
     * {@code clip.vision.feature_layer}, stored by llama.cpp's converter as an integer array (a
     * single integer is accepted too). Several layers are granite-vision's concatenated
     * features, which need a projector this engine does not have.
     */
    private static int featureLayer(GGUFFile file, int blockCount) {
        String key = "clip.vision.feature_layer";
        Object v = file.metadata().get(key);
        if (v == null) {
            return -1;
        }
        long[] layers;
        if (v instanceof Number n) {
            layers = new long[] {n.longValue()};
        } else if (v instanceof GGUFArray a && a.values() instanceof int[] ints) {
            layers = Arrays.stream(ints).asLongStream().toArray();
        } else if (v instanceof GGUFArray a && a.values() instanceof long[] longs) {
            layers = longs;
        } else {
            throw new GGUFException(file.path(), "metadata '" + key + "' must be an integer or an integer array, got " + v);
        }
        if (layers.length != 1) {
            throw new GGUFException(file.path(), "metadata '" + key + "' = " + Arrays.toString(layers)
                    + ": features concatenated from several layers are not supported (LLaVA uses one layer)");
        }
        long k = layers[0];
        if (k < 0 || k > blockCount) {
            throw new GGUFException(file.path(), "metadata '" + key + "' = " + k + " must lie in [0, "
                    + blockCount + "] (hidden-state index; the file stores " + blockCount + " blocks)");
        }
        return (int) k;
    }
}
