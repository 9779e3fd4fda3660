package io.github.tornadollava.tornado;

import java.util.ArrayList;
import java.util.List;

import io.github.tornadollava.config.WorkGroupSizes;
import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.engine.MultimodalModel;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.llama.LlamaConfig;
import io.github.tornadollava.llama.LlamaWeights;
import io.github.tornadollava.vision.ClipConfig;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * An LM and its mmproj in ONE TornadoVM execution plan, so that image embeddings go from the
 * projector to the decoder's prefill on the device. TornadoVM shares device buffers only between
 * the task graphs of one plan ({@code persistOnDevice}/{@code consumeFromDevice}, and
 * {@code mapOnDeviceMemoryRegion}, take graphs of the same plan; the link to the graph that ran
 * before is kept per plan), which is why a separate vision plan and decoder plan cannot do it.
 *
 * <p>The plan holds the vision graphs ({@link VisionGraphs}), whose projector copies each image
 * into a slot of a {@link DeviceImageStore}, and the decoder graphs ({@link DecoderGraphs}), whose
 * first prefill graph gathers image rows from that store into the batch. The stages stay
 * separate graphs; only the store's array passes from one to the other.
 *
 * <p>Loading order matters: the vision graphs run first (weights up, kernels compiled, the
 * projector allocates the store), then the decoder's link sequence, whose first graph,
 * {@code prefill0}, thereby follows the projector and is handed the store.
 */
final class TornadoMultimodal {

    private TornadoMultimodal() {
    }

    /**
     * Uploads both files' weights, builds the plan and runs every graph once.
     *
     * @param maxBatch rows per prefill batch
     * @throws IllegalArgumentException when the projector's width is not the LM's
     */
    static MultimodalModel load(GGUFFile lm, GGUFFile mmproj, int contextSize, int maxBatch, TornadoDevice device, WorkGroupSizes sizes,
            DeviceProfile profile, Backend.LoadListener progress, String deviceName) {
        LlamaConfig lmConfig = LlamaConfig.from(lm);
        ClipConfig visionConfig = ClipConfig.from(mmproj);
        TornadoDecoder.checkSizes(lmConfig, contextSize, maxBatch);
        String lmLabel = lm.path().getFileName().toString();
        DeviceVisionWeights visionWeights = TornadoVisionEncoder.load(mmproj, visionConfig);
        MultimodalModel.requireMatchingPair(lmConfig.dim(), visionWeights.outputDim(), String.valueOf(lm.path()), String.valueOf(mmproj.path()));

        int visionSteps = visionWeights.blocks().size() + 2;
        DecoderGraphs.Split split = DecoderGraphs.Split.of(lmConfig);
        int steps = TornadoDecoder.loadSteps(split) + visionSteps;
        LlamaWeights hostWeights = LlamaWeights.load(lm, lmConfig);
        DeviceLlamaWeights lmWeights = TornadoDecoder.upload(hostWeights, progress, 0, steps, lmLabel);

        DeviceImageStore store = new DeviceImageStore(contextSize, visionConfig.patchCount(), lmConfig.dim(),
                deviceName + " (plan of " + lmLabel + " + " + mmproj.path().getFileName() + ")");
        VisionGraphs.Buffers visionBuffers = new VisionGraphs.Buffers(visionConfig, visionWeights);
        DecoderState state = new DecoderState(lmConfig, contextSize, Math.min(maxBatch, contextSize), store.rows);
        LaunchGrids grids = new LaunchGrids(sizes);
        List<TaskGraph> graphs = new ArrayList<>(VisionGraphs.build(visionConfig, visionWeights, visionBuffers, grids, store));
        graphs.addAll(DecoderGraphs.build(lmConfig, split, lmWeights, state, grids, VisionGraphs.PROJECTOR));
        GraphPlan plan = new GraphPlan(graphs, grids.scheduler(), device, profile, 2);

        TornadoVisionEncoder vision = new TornadoVisionEncoder(visionConfig, visionWeights, visionBuffers, plan, store);
        TornadoDecoder decoder = new TornadoDecoder(lmConfig, split, hostWeights, state, grids, plan, store);
        try {
            int done = lmConfig.nLayers();
            vision.warmUp(progress, done, steps);
            decoder.link(progress, done + visionSteps, steps);
        } catch (RuntimeException e) {
            vision.close();
            decoder.close();
            throw e;
        }
        return new MultimodalModel(decoder, vision);
    }
}
