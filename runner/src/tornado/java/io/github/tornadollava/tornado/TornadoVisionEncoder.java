package io.github.tornadollava.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.github.tornadollava.config.WorkGroupSizes;
import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.vision.ClipConfig;
import io.github.tornadollava.vision.CpuVisionEncoder;
import io.github.tornadollava.vision.ImageEmbeddings;
import io.github.tornadollava.vision.VisionEncoder;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The CLIP ViT and the LLaVA projector on a TornadoVM device, with the semantics of
 * {@link CpuVisionEncoder}; the graphs are described in {@link VisionGraphs}. Weights are
 * uploaded when the encoder is built; per image the pixels go up.
 *
 * <p>Standalone (its own plan) the embeddings come back after every image. In a multimodal plan
 * ({@link TornadoMultimodal}) {@link #embed} leaves them in the plan's {@link DeviceImageStore}
 * and returns a handle that the decoder of the same plan reads them through; {@link #encode}
 * still brings them to the host, for {@code llava encode} and comparisons.
 */
public final class TornadoVisionEncoder implements VisionEncoder {

    private final ClipConfig config;
    private final int outputDim;
    private final VisionGraphs.Buffers buffers;
    private final GraphPlan plan;
    private final DeviceImageStore store;
    private final int blocks;
    private boolean closed;

    /** A standalone encoder with its own plan: uploads the weights and compiles the kernels. */
    TornadoVisionEncoder(GGUFFile mmproj, TornadoDevice device, WorkGroupSizes sizes, DeviceProfile profile, Backend.LoadListener progress) {
        ClipConfig config = ClipConfig.from(mmproj);
        this(config, load(mmproj, config), device, sizes, profile, progress);
    }

    private TornadoVisionEncoder(ClipConfig config, DeviceVisionWeights weights, TornadoDevice device, WorkGroupSizes sizes, DeviceProfile profile,
            Backend.LoadListener progress) {
        this.config = config;
        this.outputDim = weights.outputDim();
        this.blocks = weights.blocks().size();
        this.buffers = new VisionGraphs.Buffers(config, weights);
        this.store = null;
        LaunchGrids grids = new LaunchGrids(sizes);
        this.plan = new GraphPlan(VisionGraphs.build(config, weights, buffers, grids, null), grids.scheduler(), device, profile);
        try {
            warmUp(progress, 0, graphCount());
        } catch (RuntimeException e) {
            plan.close();
            throw e;
        }
    }

    /**
     * The encoder of a multimodal plan, which holds its graphs ({@link VisionGraphs#build} with
     * {@code store}); the plan's owner calls {@link #warmUp} before the decoder's first run.
     */
    TornadoVisionEncoder(ClipConfig config, DeviceVisionWeights weights, VisionGraphs.Buffers buffers, GraphPlan plan, DeviceImageStore store) {
        this.config = config;
        this.outputDim = weights.outputDim();
        this.blocks = weights.blocks().size();
        this.buffers = buffers;
        this.plan = plan;
        this.store = store;
    }

    /** Uploads and converts the weights of {@code mmproj}, saying what was converted. */
    static DeviceVisionWeights load(GGUFFile mmproj, ClipConfig config) {
        DeviceMatrices.Conversions conversions = new DeviceMatrices.Conversions();
        DeviceVisionWeights weights = DeviceVisionWeights.load(mmproj, config, conversions);
        if (!conversions.isEmpty()) {
            System.err.println("tornado: " + mmproj.path().getFileName() + ": converted for the device (no kernel reads these formats): " + conversions);
        }
        return weights;
    }

    /** Graph runs per image: embed, the blocks, the projector (the loading steps {@link #warmUp} reports). */
    int graphCount() {
        return blocks + 2;
    }

    /**
     * One run on a blank image: uploads the weights and compiles the kernels now rather than on
     * the first image. Reports progress {@code done + 1 .. done + graphCount()} of {@code total}.
     */
    void warmUp(Backend.LoadListener progress, int done, int total) {
        if (store != null) {
            store.slot.set(0, 0); // slot 0 holds no image yet: its serial stays 0, which no handle has
        }
        plan.warmUp(VisionGraphs.EMBED);
        progress.loaded(++done, total);
        for (int i = 0; i < blocks; i++) {
            plan.warmUp(VisionGraphs.block(i));
            progress.loaded(++done, total);
        }
        plan.warmUp(VisionGraphs.PROJECTOR);
        progress.loaded(++done, total);
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
        checkPixels(pixels);
        if (store != null) {
            store.beginImage(); // the projector writes a slot in any case; no handle is made for it
        }
        runGraphs(pixels, progress, true);
        float[] embeddings = new float[config.patchCount() * outputDim];
        MemorySegment.copy(buffers.out.getSegment(), ValueLayout.JAVA_FLOAT, 0, embeddings, 0, embeddings.length);
        return embeddings;
    }

    /** In a multimodal plan the embeddings stay on the device, for its decoder; otherwise as {@link #encode}. */
    @Override
    public ImageEmbeddings embed(float[] pixels, ProgressListener progress) {
        if (store == null) {
            return VisionEncoder.super.embed(pixels, progress);
        }
        checkPixels(pixels);
        int slot = store.beginImage();
        runGraphs(pixels, progress, false);
        return store.handle(slot);
    }

    private void runGraphs(float[] pixels, ProgressListener progress, boolean toHost) {
        MemorySegment.copy(pixels, 0, buffers.pixels.getSegment(), ValueLayout.JAVA_FLOAT, 0, pixels.length);
        plan.run(VisionGraphs.EMBED);
        for (int i = 0; i < blocks; i++) {
            plan.run(VisionGraphs.block(i));
            progress.blocksDone(i + 1, blocks);
        }
        if (store != null && toHost) {
            plan.runAndFetch(VisionGraphs.PROJECTOR, buffers.out);
        } else {
            plan.run(VisionGraphs.PROJECTOR);
        }
    }

    private void checkPixels(float[] pixels) {
        if (pixels.length != config.pixelCount()) {
            throw new IllegalArgumentException("expected " + config.pixelCount() + " pixel values ([3][" + config.imageSize()
                    + "][" + config.imageSize() + "]), got " + pixels.length);
        }
    }

    /** Frees the device memory (in a multimodal plan, once the decoder is closed too). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            plan.close();
        }
    }
}
