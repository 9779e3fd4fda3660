package io.github.tornadollava.image;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Turns a decoded picture into the vision tower's input: a square {@code imageSize x imageSize}
 * image, rescaled to 0..1 and normalised per channel, as {@code float[3][imageSize][imageSize]}
 * (channel-major, C order) in one flat array.
 *
 * <p>Follows Hugging Face {@code CLIPImageProcessor} with the PIL backend ({@link ImageMode#CROP}) and
 * LLaVA-1.5's {@code expand2square} in front of it ({@link ImageMode#PAD}); resizing is Pillow's
 * BICUBIC, reproduced exactly by {@link PillowBicubic}.
 */
public final class ImagePreprocessor {

    /** CLIP's normalisation (OpenAI), also what LLaVA-1.5's mmproj files carry. */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private final int imageSize;
    private final int backgroundRgb;
    /** value -> normalised value per channel: the whole arithmetic is a function of one uint8. */
    private final float[][] lut = new float[3][256];

    public ImagePreprocessor(int imageSize, float[] mean, float[] std) {
        if (imageSize <= 0) {
            throw new IllegalArgumentException("image size " + imageSize);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("need 3 means and 3 stds, got " + Arrays.toString(mean) + " " + Arrays.toString(std));
        }
        this.imageSize = imageSize;
        // LLaVA pads with tuple(int(x*255) for x in image_mean): (122,116,104) for CLIP
        int[] bg = new int[3];
        for (int c = 0; c < 3; c++) {
            bg[c] = Math.clamp((int) (mean[c] * 255.0), 0, 255);
        }
        this.backgroundRgb = bg[0] << 16 | bg[1] << 8 | bg[2];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                // transformers rescale(): float64 multiply by 1/255, then float32; normalize() in float32
                float x = (float) (v * (1.0 / 255.0));
                lut[c][v] = (x - mean[c]) / std[c];
            }
        }
    }

    /** CLIP normalisation at the given size. */
    public static ImagePreprocessor clip(int imageSize) {
        return new ImagePreprocessor(imageSize, CLIP_MEAN, CLIP_STD);
    }

    public int imageSize() {
        return imageSize;
    }

    /** The canvas colour of {@link ImageMode#PAD} as 0xRRGGBB. */
    public int backgroundRgb() {
        return backgroundRgb;
    }

    /**
     * {@code float[3 * imageSize * imageSize]}, channel-major. Any BufferedImage type is accepted;
     * transparency is composited onto the padding colour.
     */
    public float[] preprocess(BufferedImage image, ImageMode mode) {
        return normalize(square(RgbImage.of(image, backgroundRgb), mode));
    }

    /**
     * Same as {@link #preprocess(BufferedImage, ImageMode)} for raw pixels {@code uint8 [height][width][3]}
     * (e.g. a decoded image exported from NumPy / Pillow).
     */
    public float[] preprocessRgb(byte[] hwc, int height, int width, ImageMode mode) {
        return normalize(square(new RgbImage(width, height, hwc), mode));
    }

    /** The square {@code imageSize x imageSize} uint8 image, before rescaling and normalisation. */
    public RgbImage square(RgbImage img, ImageMode mode) {
        return switch (mode) {
            case PAD -> padAndResize(img);
            case CROP -> resizeAndCrop(img);
        };
    }

    /** expand2square: centre on a canvas of side max(w, h) (integer-halved offsets), then resize. */
    private RgbImage padAndResize(RgbImage img) {
        int w = img.width();
        int h = img.height();
        int side = Math.max(w, h);
        int left = (side - w) / 2;
        int top = (side - h) / 2;
        byte[] background = new byte[side * 3];
        for (int x = 0; x < side; x++) {
            background[3 * x] = (byte) (backgroundRgb >> 16);
            background[3 * x + 1] = (byte) (backgroundRgb >> 8);
            background[3 * x + 2] = (byte) backgroundRgb;
        }
        // The canvas is produced one row at a time: for a tall or wide picture it is far larger than the picture.
        PillowBicubic.Rows canvas = (y, dst) -> {
            System.arraycopy(background, 0, dst, 0, side * 3);
            if (y >= top && y < top + h) {
                System.arraycopy(img.pixels(), (y - top) * w * 3, dst, left * 3, w * 3);
            }
        };
        return PillowBicubic.resizeWindow(canvas, side, side, imageSize, imageSize, 0, 0, imageSize, imageSize);
    }

    /**
     * transformers' get_resize_output_image_size (short side = imageSize, long side truncated:
     * {@code int(size * long / short)}), Pillow resize, then center_crop with floor-halved offsets.
     */
    private RgbImage resizeAndCrop(RgbImage img) {
        int w = img.width();
        int h = img.height();
        int shortSide = Math.min(w, h);
        int longSide = Math.max(w, h);
        int newLong = (int) ((double) imageSize * longSide / shortSide);
        int newW = w <= h ? imageSize : newLong;
        int newH = w <= h ? newLong : imageSize;
        int top = (newH - imageSize) / 2;
        int left = (newW - imageSize) / 2;
        return PillowBicubic.resizeWindow(PillowBicubic.rowsOf(img), w, h, newW, newH, left, top, imageSize, imageSize);
    }

    private float[] normalize(RgbImage sq) {
        int plane = imageSize * imageSize;
        float[] out = new float[3 * plane];
        byte[] px = sq.pixels();
        for (int i = 0; i < plane; i++) {
            out[i] = lut[0][px[3 * i] & 0xFF];
            out[plane + i] = lut[1][px[3 * i + 1] & 0xFF];
            out[2 * plane + i] = lut[2][px[3 * i + 2] & 0xFF];
        }
        return out;
    }
}
