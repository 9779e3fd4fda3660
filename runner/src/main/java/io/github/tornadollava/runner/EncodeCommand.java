package io.github.tornadollava.runner;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.github.tornadollava.image.ImageLoader;
import io.github.tornadollava.image.ImageMode;
import io.github.tornadollava.image.ImagePreprocessor;
import io.github.tornadollava.npy.Npy;
import io.github.tornadollava.vision.ClipConfig;
import io.github.tornadollava.vision.VisionEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code llava encode}: image embeddings (and preprocessed pixels) as .npy, to compare runtimes. */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Write an image's embeddings [n_tokens, n_embd] (and its pixels [3,S,S]) as float32 .npy files.")
final class EncodeCommand implements Callable<Integer> {

    @Option(names = "--mmproj", required = true, paramLabel = "MM.gguf", description = "Vision tower + projector GGUF.")
    Path mmproj;

    @Option(names = {"-i", "--image"}, required = true, paramLabel = "FILE", description = "The image.")
    Path image;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "emb.npy", description = "Where the embeddings go.")
    Path out;

    @Option(names = "--pixels-out", paramLabel = "px.npy", description = "Also write the preprocessed pixels.")
    Path pixelsOut;

    @Option(names = "--image-mode", defaultValue = "pad", paramLabel = "pad|crop", description = "Default: ${DEFAULT-VALUE}.")
    String imageMode;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    @Mixin
    BackendOptions backend;

    @Override
    public Integer call() throws Exception {
        ImageMode mode = ImageModes.parse(imageMode);
        Progress progress = new Progress(quiet);
        try (Engines engines = Engines.open(backend, null, mmproj, null, false, progress)) {
            VisionEncoder ve = engines.visionEncoder();
            ClipConfig cc = ve.config();
            float[] pixels = new ImagePreprocessor(cc.imageSize(), cc.imageMean(), cc.imageStd())
                    .preprocess(ImageLoader.load(image), mode);
            if (pixelsOut != null) {
                Npy.writeFloat32(pixelsOut, pixels, 3, cc.imageSize(), cc.imageSize());
            }
            progress.begin("encoding " + image.getFileName());
            float[] emb = ve.encode(pixels, progress::update);
            progress.end();
            Npy.writeFloat32(out, emb, ve.tokensPerImage(), ve.outputDim());
            if (!quiet) {
                System.err.printf("wrote %s [%d, %d]%s%n", out, ve.tokensPerImage(), ve.outputDim(),
                        pixelsOut != null ? " and " + pixelsOut + " [3, " + cc.imageSize() + ", " + cc.imageSize() + "]" : "");
            }
        }
        return 0;
    }
}
