package io.github.tornadollava.vision;

import java.nio.file.Path;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.projector.Projector;

/**
 * The CPU {@link VisionEncoder}: a {@link VisionTower} followed by a {@link Projector}, both
 * reading their weights from one memory-mapped mmproj GGUF.
 */
public final class CpuVisionEncoder implements VisionEncoder {

    private final GGUFFile file;
    private final boolean ownsFile;
    private final VisionTower tower;
    private final Projector projector;

    private CpuVisionEncoder(GGUFFile file, boolean ownsFile) {
        ClipConfig config = ClipConfig.from(file);
        this.tower = new VisionTower(config, VisionWeights.load(file, config));
        this.projector = Projector.load(file, config.projectorType(), config.embeddingLength());
        this.file = file;
        this.ownsFile = ownsFile;
    }

    /** Opens an mmproj GGUF; closing the encoder closes the file. */
    public static CpuVisionEncoder open(Path mmproj) {
        GGUFFile file = GGUFFile.open(mmproj);
        try {
            return new CpuVisionEncoder(file, true);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** An encoder over a file the caller keeps open (and closes) for as long as the encoder is used. */
    public static CpuVisionEncoder of(GGUFFile mmproj) {
        return new CpuVisionEncoder(mmproj, false);
    }

    @Override
    public ClipConfig config() {
        return tower.config();
    }

    public VisionTower tower() {
        return tower;
    }

    public Projector projector() {
        return projector;
    }

    @Override
    public int tokensPerImage() {
        return tower.config().patchCount();
    }

    @Override
    public int outputDim() {
        return projector.outputDim();
    }

    @Override
    public float[] encode(float[] pixels, ProgressListener progress) {
        return encode(pixels, progress, null);
    }

    /** {@link #encode(float[], ProgressListener)} that also shows the ViT's intermediate stages to {@code observer}. */
    public float[] encode(float[] pixels, ProgressListener progress, VisionTower.StageObserver observer) {
        float[] features = tower.forward(pixels, progress, observer);
        return projector.forward(features, tokensPerImage());
    }

    @Override
    public void close() {
        if (ownsFile) {
            file.close();
        }
    }
}
