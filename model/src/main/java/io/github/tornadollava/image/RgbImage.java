package io.github.tornadollava.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * 8-bit RGB pixels, row-major and interleaved ({@code [height][width][3]}, as NumPy holds a decoded
 * Pillow image): the form the resampler works on, so results can be compared value for value.
 */
public record RgbImage(int width, int height, byte[] pixels) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size " + width + "x" + height);
        }
        if (pixels.length != (long) width * height * 3) {
            throw new IllegalArgumentException(pixels.length + " bytes do not hold " + width + "x" + height + " RGB pixels");
        }
    }

    /** Channel {@code c} of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }

    /** The pixels of {@code image}, converted to RGB as {@link ImageLoader} does. */
    public static RgbImage of(BufferedImage image) {
        return of(image, ImageLoader.BACKGROUND_RGB);
    }

    /** The pixels of {@code image}; transparent pixels are composited onto {@code backgroundRgb} (0xRRGGBB). */
    public static RgbImage of(BufferedImage image, int backgroundRgb) {
        BufferedImage rgb = RgbConversion.toIntRgb(image, backgroundRgb);
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            // getDataElements honours sub-images (offsets, strides) and copies the packed ints as they are
            rgb.getRaster().getDataElements(0, y, w, 1, row);
            for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                int p = row[x];
                out[o] = (byte) (p >> 16);
                out[o + 1] = (byte) (p >> 8);
                out[o + 2] = (byte) p;
            }
        }
        return new RgbImage(w, h, out);
    }

    /** This image as a {@link BufferedImage#TYPE_INT_RGB}. */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] argb = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < width * height; i++) {
            argb[i] = (pixels[3 * i] & 0xFF) << 16 | (pixels[3 * i + 1] & 0xFF) << 8 | (pixels[3 * i + 2] & 0xFF);
        }
        return img;
    }
}
