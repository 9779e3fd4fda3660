package io.github.tornadollava.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Turns whatever ImageIO decoded (grey, grey+alpha, palette, RGB, RGBA, 16-bit, other colour spaces)
 * into {@link BufferedImage#TYPE_INT_RGB}, compositing transparency onto a background colour.
 *
 * <p>Grey and RGB images are converted from their raw samples rather than through Java2D: Java
 * treats 8-bit grey as linear, so {@code getRGB}/{@code drawImage} would brighten it, while Pillow
 * (the reference) simply repeats the grey value in R, G and B; and like Pillow, the colour space an
 * embedded ICC profile names is not applied to RGB or grey values. 16-bit samples keep their high
 * byte, as Pillow does when it opens a 16-bit RGB PNG.
 */
final class RgbConversion {

    private RgbConversion() {
    }

    static BufferedImage toIntRgb(BufferedImage src, int backgroundRgb) {
        if (src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        ColorModel cm = src.getColorModel();
        ColorSpace cs = cm.getColorSpace();
        int transfer = cm.getTransferType();
        boolean rawSamples = cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()
                && (transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT)
                && (cs.getType() == ColorSpace.TYPE_GRAY || cs.getType() == ColorSpace.TYPE_RGB);
        if (rawSamples) {
            return fromSamples(src, backgroundRgb);
        }
        if (!(cs.isCS_sRGB() || cm instanceof IndexColorModel || cm instanceof DirectColorModel)) {
            // Another colour space (e.g. a CMYK raster some plugin hands back): convert the whole
            // image at once; per-pixel getRGB would run the colour transform once per pixel.
            BufferedImage converted = new BufferedImage(src.getWidth(), src.getHeight(),
                    cm.hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            new ColorConvertOp(null).filter(src, converted);
            src = converted;
            if (src.getType() == BufferedImage.TYPE_INT_RGB) {
                return src;
            }
        }
        return fromArgb(src, backgroundRgb);
    }

    /** Palette, packed-int and premultiplied images: Java2D's sRGB view of each pixel is exact there. */
    private static BufferedImage fromArgb(BufferedImage src, int backgroundRgb) {
        int w = src.getWidth();
        int h = src.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            src.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                dst[y * w + x] = composite(p >> 16 & 0xFF, p >> 8 & 0xFF, p & 0xFF, p >>> 24, backgroundRgb);
            }
        }
        return out;
    }

    /** Grey / sRGB component images, read sample by sample (see the class comment for why). */
    private static BufferedImage fromSamples(BufferedImage src, int backgroundRgb) {
        ColorModel cm = src.getColorModel();
        Raster raster = src.getRaster();
        int w = src.getWidth();
        int h = src.getHeight();
        int colours = cm.getNumColorComponents();
        int bands = raster.getNumBands();
        boolean alpha = cm.hasAlpha();
        int[] bits = cm.getComponentSize();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        int[] row = new int[w * bands];
        int[] v = new int[bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < bands; b++) {
                    v[b] = to8Bit(row[x * bands + b], bits[b]);
                }
                int a = alpha ? v[bands - 1] : 255;
                int rgb = colours == 1
                        ? composite(v[0], v[0], v[0], a, backgroundRgb)
                        : composite(v[0], v[1], v[2], a, backgroundRgb);
                dst[y * w + x] = rgb;
            }
        }
        return out;
    }

    private static int to8Bit(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        return (sample * 255 + ((1 << bits) - 1) / 2) / ((1 << bits) - 1);
    }

    /** {@code c·a + background·(1-a)}, rounded, per channel (straight, not premultiplied, alpha). */
    static int composite(int r, int g, int b, int a, int backgroundRgb) {
        if (a == 255) {
            return r << 16 | g << 8 | b;
        }
        int br = backgroundRgb >> 16 & 0xFF;
        int bg = backgroundRgb >> 8 & 0xFF;
        int bb = backgroundRgb & 0xFF;
        int na = 255 - a;
        return (r * a + br * na + 127) / 255 << 16 | (g * a + bg * na + 127) / 255 << 8 | (b * a + bb * na + 127) / 255;
    }
}
