package io.github.tornadollava.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.github.tornadollava.config.WorkGroupSizes;
import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.vision.ClipConfig;
import io.github.tornadollava.vision.CpuVisionEncoder;
import io.github.tornadollava.vision.VisionEncoder;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The CLIP ViT and the LLaVA projector on a TornadoVM device, with the semantics of
 * {@link CpuVisionEncoder}; the graphs are described in {@link VisionGraphs}. Weights are
 * uploaded when the encoder is built; per image the pixels go up and the embeddings come back
 * (the {@link VisionEncoder} contract returns them as an array, which the generation loop feeds
 * to the decoder as embedding rows).
 */
public final class TornadoVisionEncoder implements VisionEncoder {

    private final ClipConfig config;
    private final int outputDim;
    private final VisionGraphs.Buffers buffers;
    private final GraphPlan plan;
    private final int blocks;

    TornadoVisionEncoder(GGUFFile mmproj, TornadoDevice device, WorkGroupSizes sizes, DeviceProfile profile, Backend.LoadListener progress) {
        this.config = ClipConfig.from(mmproj);
        DeviceMatrices.Conversions conversions = new DeviceMatrices.Conversions();
        DeviceVisionWeights weights = DeviceVisionWeights.load(mmproj, config, conversions);
        if (!conversions.isEmpty()) {
            System.err.println("tornado: " + mmproj.path().getFileName() + ": converted for the device (no kernel reads these formats): " + conversions);
        }
        this.outputDim = weights.outputDim();
        this.blocks = weights.blocks().size();
        this.buffers = new VisionGraphs.Buffers(config, weights);
        LaunchGrids grids = new LaunchGrids(sizes);
        this.plan = new GraphPlan(VisionGraphs.build(config, weights, buffers, grids), grids.scheduler(), device, profile);
        // one run on a blank image uploads the weights and compiles the kernels now rather than on the first image
        try {
            plan.warmUp(VisionGraphs.EMBED);
            for (int i = 0; i < blocks; i++) {
                plan.warmUp(VisionGraphs.block(i));
                progress.loaded(i + 1, blocks + 2);
            }
            plan.warmUp(VisionGraphs.PROJECTOR);
        } catch (RuntimeException e) {
            plan.close();
            throw e;
        }
        progress.loaded(blocks + 2, blocks + 2);
    }

    @Override
    public ClipConfig config() {
        return config;
    }

    @Override
    public int tokensPerImage() {
        return config.patchCount();
    }

    @Override
    public int outputDim() {
        return outputDim;
    }

    @Override
    public float[] encode(float[] pixels, ProgressListener progress) {
        if (pixels.length != config.pixelCount()) {
            throw new IllegalArgumentException("expected " + config.pixelCount() + " pixel values ([3][" + config.imageSize()
                    + "][" + config.imageSize() + "]), got " + pixels.length);
        }
        MemorySegment.copy(pixels, 0, buffers.pixels.getSegment(), ValueLayout.JAVA_FLOAT, 0, pixels.length);
        plan.run(VisionGraphs.EMBED);
        for (int i = 0; i < blocks; i++) {
            plan.run(VisionGraphs.block(i));
            progress.blocksDone(i + 1, blocks);
        }
        plan.run(VisionGraphs.PROJECTOR);
        float[] embeddings = new float[config.patchCount() * outputDim];
        MemorySegment.copy(buffers.out.getSegment(), ValueLayout.JAVA_FLOAT, 0, embeddings, 0, embeddings.length);
        return embeddings;
    }

    @Override
    public void close() {
        plan.close();
    }
}
