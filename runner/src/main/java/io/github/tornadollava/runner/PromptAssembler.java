package io.github.tornadollava.runner;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.tornadollava.image.ImageLoader;
import io.github.tornadollava.image.ImageMode;
import io.github.tornadollava.image.ImagePreprocessor;
import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.llama.Segment;
import io.github.tornadollava.prompt.PromptChunk;
import io.github.tornadollava.prompt.PromptTokenizer;
import io.github.tornadollava.vision.ClipConfig;
import io.github.tornadollava.vision.ImageEmbeddings;
import io.github.tornadollava.vision.VisionEncoder;

/**
 * Turns rendered prompt text and image files into the decoder's input segments: text chunks as
 * token ids, each {@code <image>} as its projected embeddings (left wherever the backend's
 * vision encoder put them, see {@link VisionEncoder#embed}). Everything cheap is checked first
 * (placeholder count, images decodable, the context fits) so a bad request fails before the
 * vision encoder spends seconds on it.
 */
final class PromptAssembler {

    /** The assembled input, with the text ids kept for reporting. */
    record Assembled(List<Segment> segments, List<Integer> textIds, int positions, double imageEncodeMs) {
    }

    private final Engines engines;
    private final Progress progress;

    PromptAssembler(Engines engines, Progress progress) {
        this.engines = engines;
        this.progress = progress;
    }

    Assembled assemble(String rendered, List<Path> images, ImageMode mode, boolean addBos, int extraPositions) {
        List<PromptChunk> chunks = new PromptTokenizer(engines.tokenizer()).tokenize(rendered, addBos);
        VisionEncoder vision = engines.visionEncoder();
        if (!images.isEmpty() && vision == null) {
            throw new IllegalArgumentException("images were given but no --mmproj vision model");
        }
        int perImage = vision == null ? 0 : vision.tokensPerImage();
        int positions = extraPositions;
        List<Integer> textIds = new ArrayList<>();
        for (PromptChunk c : chunks) {
            if (c instanceof PromptChunk.Text t) {
                positions += t.ids().length;
                for (int id : t.ids()) {
                    textIds.add(id);
                }
            } else {
                positions += perImage;
            }
        }
        LanguageModel lm = engines.languageModel();
        int available = lm.contextSize() - lm.position();
        if (positions > available) {
            throw new IllegalArgumentException("the prompt needs " + positions + " positions (" + textIds.size() + " text tokens + "
                    + images.size() + " image(s) x " + perImage + ") but only " + available + " of the context's "
                    + lm.contextSize() + " are free" + (lm.contextSize() < lm.config().contextLength()
                    ? " (raise --ctx-size, up to " + lm.config().contextLength() + ")" : ""));
        }

        // decode every image before encoding any: a corrupt second image fails fast
        List<float[]> pixels = new ArrayList<>();
        if (!images.isEmpty()) {
            ClipConfig cc = vision.config();
            ImagePreprocessor pre = new ImagePreprocessor(cc.imageSize(), cc.imageMean(), cc.imageStd());
            for (Path p : images) {
                BufferedImage img = ImageLoader.load(p);
                pixels.add(pre.preprocess(img, mode));
            }
        }
        double encodeMs = 0;
        List<Segment> segments = new ArrayList<>();
        for (PromptChunk c : chunks) {
            if (c instanceof PromptChunk.Text t) {
                segments.add(new Segment.Tokens(t.ids()));
            } else {
                int k = ((PromptChunk.Image) c).index();
                progress.begin("encoding image " + (k + 1) + "/" + images.size() + " (" + images.get(k).getFileName() + ")");
                // embed, not encode: on a device backend the rows stay in device memory for the decoder
                ImageEmbeddings emb = vision.embed(pixels.get(k), progress::update);
                encodeMs += progress.end();
                segments.add(new Segment.Image(emb));
            }
        }
        return new Assembled(segments, textIds, positions - extraPositions, encodeMs);
    }
}
