package io.github.tornadollava.tornado;

import java.util.ArrayList;
import java.util.List;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.TensorLoader;
import io.github.tornadollava.projector.Projector;
import io.github.tornadollava.projector.ProjectorType;
import io.github.tornadollava.vision.ClipConfig;
import io.github.tornadollava.vision.VisionWeights;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The ViT and projector weights of an mmproj file in device layouts. Loading goes through the
 * CPU classes ({@link VisionWeights}, {@link Projector}) so the file is validated, and old
 * converters' swapped FFN names are fixed, exactly as on the CPU.
 *
 * @param patchBias the convolution bias, or null (CLIP has none)
 * @param mm2       the projector's second matrix, or null for the linear projector
 */
record DeviceVisionWeights(DeviceMatrix patchEmbedding, FloatArray patchBias, FloatArray classEmbedding, FloatArray positionEmbedding,
                           FloatArray preLnWeight, FloatArray preLnBias, List<Block> blocks,
                           DeviceMatrix mm0, FloatArray mm0Bias, DeviceMatrix mm2, FloatArray mm2Bias) {

    record Block(FloatArray ln1Weight, FloatArray ln1Bias,
                 DeviceMatrix attnQ, FloatArray attnQBias, DeviceMatrix attnK, FloatArray attnKBias,
                 DeviceMatrix attnV, FloatArray attnVBias, DeviceMatrix attnOut, FloatArray attnOutBias,
                 FloatArray ln2Weight, FloatArray ln2Bias,
                 DeviceMatrix ffnUp, FloatArray ffnUpBias, DeviceMatrix ffnDown, FloatArray ffnDownBias) {

        Object[] arrays() {
            List<Object> all = new ArrayList<>(List.of(ln1Weight, ln1Bias, attnQBias, attnKBias, attnVBias, attnOutBias, ln2Weight, ln2Bias,
                    ffnUpBias, ffnDownBias));
            for (DeviceMatrix m : List.of(attnQ, attnK, attnV, attnOut, ffnUp, ffnDown)) {
                all.addAll(List.of(m.arrays()));
            }
            return all.toArray();
        }
    }

    /** Output width of the projector: the language model's embedding length. */
    int outputDim() {
        return mm2 != null ? mm2.rows() : mm0.rows();
    }

    static DeviceVisionWeights load(GGUFFile file, ClipConfig config, DeviceMatrices.Conversions conversions) {
        VisionWeights w = VisionWeights.load(file, config);
        Projector projector = Projector.load(file, config.projectorType(), config.embeddingLength());
        List<Block> blocks = new ArrayList<>();
        for (VisionWeights.Block b : w.blocks()) {
            blocks.add(new Block(
                    vector(b.ln1Weight()), vector(b.ln1Bias()),
                    DeviceMatrices.of(b.attnQ(), conversions), vector(b.attnQBias()),
                    DeviceMatrices.of(b.attnK(), conversions), vector(b.attnKBias()),
                    DeviceMatrices.of(b.attnV(), conversions), vector(b.attnVBias()),
                    DeviceMatrices.of(b.attnOut(), conversions), vector(b.attnOutBias()),
                    vector(b.ln2Weight()), vector(b.ln2Bias()),
                    DeviceMatrices.of(b.ffnUp(), conversions), vector(b.ffnUpBias()),
                    DeviceMatrices.of(b.ffnDown(), conversions), vector(b.ffnDownBias())));
        }
        // Projector.load has checked the projector's tensors; read them again as matrices for the device.
        TensorLoader t = new TensorLoader(file);
        int hidden = (int) file.tensor("mm.0.weight").ne(1);
        DeviceMatrix mm0 = DeviceMatrices.of(t.matrix("mm.0.weight", hidden, projector.inputDim()), conversions);
        FloatArray mm0Bias = vector(t.vector("mm.0.bias", hidden));
        DeviceMatrix mm2 = null;
        FloatArray mm2Bias = null;
        if (projector.type() == ProjectorType.MLP) {
            mm2 = DeviceMatrices.of(t.matrix("mm.2.weight", projector.outputDim(), hidden), conversions);
            mm2Bias = vector(t.vector("mm.2.bias", projector.outputDim()));
        }
        return new DeviceVisionWeights(DeviceMatrices.of(w.patchEmbedding(), conversions),
                w.patchBias() == null ? null : vector(w.patchBias()),
                vector(w.classEmbedding()), vector(w.positionEmbedding()), vector(w.preLnWeight()), vector(w.preLnBias()),
                List.copyOf(blocks), mm0, mm0Bias, mm2, mm2Bias);
    }

    private static FloatArray vector(float[] values) {
        return DeviceMatrices.vector(values);
    }
}
