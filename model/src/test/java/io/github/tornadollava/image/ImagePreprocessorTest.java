package io.github.tornadollava.image;

import java.awt.image.BufferedImage;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Paths the golden cases (all landscape, crop offsets only along x) do not reach: portrait images,
 * upscaling, windows with a vertical offset, transparency, argument checks.
 */
class ImagePreprocessorTest {

    private final ImagePreprocessor pre = ImagePreprocessor.clip(56);

    /**
     * A portrait picture is handled as the transposed landscape one: Pillow's result differs only by
     * the rounding of the intermediate pass (horizontal runs first either way), so at most 1-2 levels;
     * a wrong size, crop offset or paste offset would show as large differences on this smooth noise.
     */
    @Test
    void portraitMatchesTransposedLandscape() {
        // odd leftovers (130-83 = 47 for the canvas, 87-56 = 31 for the crop) so that floor-halving matters
        RgbImage landscape = smoothNoise(130, 83);
        RgbImage portrait = transpose(landscape);
        for (ImageMode mode : ImageMode.values()) {
            RgbImage a = transpose(pre.square(landscape, mode));
            RgbImage b = pre.square(portrait, mode);
            int max = 0;
            for (int i = 0; i < a.pixels().length; i++) {
                max = Math.max(max, Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF)));
            }
            assertTrue(max <= 2, mode + ": portrait vs transposed landscape differ by " + max + " levels");
        }
    }

    /** The crop window is computed alone; it must equal that part of the full resize. */
    @Test
    void windowEqualsCropOfFullResize() {
        RgbImage src = smoothNoise(61, 97);
        RgbImage full = PillowBicubic.resize(src, 45, 71);
        RgbImage window = PillowBicubic.resizeWindow(PillowBicubic.rowsOf(src), 61, 97, 45, 71, 7, 13, 30, 40);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 30; x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(full.get(x + 7, y + 13, c), window.get(x, y, c), "(" + x + "," + y + ")");
                }
            }
        }
    }

    @Test
    void cropModeSizesFollowTransformers() {
        // 97x162 -> short side 56, long int(56*162/97) = int(93.53) = 93: crop rows from (93-56)//2 = 18
        RgbImage src = smoothNoise(97, 162);
        RgbImage cropped = pre.square(src, ImageMode.CROP);
        RgbImage full = PillowBicubic.resize(src, 56, 93);
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                assertEquals(full.get(x, y + 18, 1), cropped.get(x, y, 1));
            }
        }
    }

    @Test
    void padModeUpscalesSmallPictures() {
        // 20x10 -> canvas 20x20 with the picture at rows 5..14 -> 56x56
        byte[] white = new byte[20 * 10 * 3];
        java.util.Arrays.fill(white, (byte) 255);
        RgbImage sq = pre.square(new RgbImage(20, 10, white), ImageMode.PAD);
        assertEquals(56, sq.width());
        assertEquals(56, sq.height());
        assertEquals(122, sq.get(28, 0, 0), "top rows are padding");
        assertEquals(104, sq.get(28, 55, 2), "bottom rows are padding");
        assertEquals(255, sq.get(28, 28, 0), "middle is the picture");
        assertEquals(255, sq.get(0, 28, 1), "the picture spans the full width");
    }

    @Test
    void transparentPictureNormalisesToThePaddingColour() {
        BufferedImage clear = new BufferedImage(30, 10, BufferedImage.TYPE_INT_ARGB); // all alpha 0
        float[] x = pre.preprocess(clear, ImageMode.PAD);
        assertEquals(3 * 56 * 56, x.length);
        int[] bg = {122, 116, 104};
        for (int c = 0; c < 3; c++) {
            float expected = ((float) (bg[c] / 255.0) - ImagePreprocessor.CLIP_MEAN[c]) / ImagePreprocessor.CLIP_STD[c];
            for (int i = 0; i < 56 * 56; i++) {
                assertEquals(expected, x[c * 56 * 56 + i], "channel " + c + " index " + i);
            }
        }
    }

    @Test
    void bufferedImageAndRawPixelsAgree() {
        RgbImage src = smoothNoise(70, 45);
        for (ImageMode mode : ImageMode.values()) {
            assertArrayEquals(pre.preprocessRgb(src.pixels(), 45, 70, mode), pre.preprocess(src.toBufferedImage(), mode), mode.name());
        }
    }

    @Test
    void wideCanvasIsNotMaterialised() {
        // canvas 6000x6000 (108 MB) is produced row by row; the 5999 padding rows are resampled once
        RgbImage strip = smoothNoise(6000, 1);
        long t0 = System.nanoTime();
        RgbImage sq = pre.square(strip, ImageMode.PAD);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(56, sq.width());
        assertTrue(ms < 5000, "took " + ms + " ms");
    }

    @Test
    void rejectsMismatchedPixelBuffers() {
        assertThrows(IllegalArgumentException.class, () -> pre.preprocessRgb(new byte[10], 2, 2, ImageMode.PAD));
        assertThrows(IllegalArgumentException.class, () -> new ImagePreprocessor(56, new float[2], new float[3]));
    }

    /** Noise blurred a little, so resampling differences stay small where the geometry is right. */
    static RgbImage smoothNoise(int w, int h) {
        Random r = new Random(w * 1000L + h);
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 128 + 90 * Math.sin(x * 0.21 + c) * Math.cos(y * 0.17 - c) + r.nextInt(21) - 10;
                    px[(y * w + x) * 3 + c] = (byte) Math.clamp(Math.round(v), 0, 255);
                }
            }
        }
        return new RgbImage(w, h, px);
    }

    static RgbImage transpose(RgbImage img) {
        byte[] out = new byte[img.pixels().length];
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    out[(x * img.height() + y) * 3 + c] = (byte) img.get(x, y, c);
                }
            }
        }
        return new RgbImage(img.height(), img.width(), out);
    }
}
