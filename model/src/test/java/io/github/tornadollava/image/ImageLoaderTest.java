package io.github.tornadollava.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFEntry;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Formats, colour conversions, EXIF orientation and bad input, on files written here. */
class ImageLoaderTest {

    private static final int RED = 0xFF0000;
    private static final int GREEN = 0x00FF00;
    private static final int BLUE = 0x0000FF;
    private static final int WHITE = 0xFFFFFF;

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- bad input

    @Test
    void emptyFile() throws IOException {
        Path f = Files.write(dir.resolve("empty.png"), new byte[0]);
        assertFailsNaming(f, "empty");
    }

    @Test
    void missingFile() {
        assertFailsNaming(dir.resolve("absent.jpg"), "no such file");
    }

    @Test
    void randomBytes() throws IOException {
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        Path f = Files.write(dir.resolve("noise.jpg"), noise);
        assertFailsNaming(f, "unknown or unsupported image format");
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] png = encode(noise(64, 48), "png");
        Path f = Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        assertFailsNaming(f, "truncated");
    }

    @Test
    void truncatedJpeg() throws IOException {
        // libjpeg only warns and fills the rest with grey; the loader must refuse, as Pillow does
        byte[] jpg = encode(noise(64, 48), "jpeg");
        Path f = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(jpg, jpg.length / 2));
        assertFailsNaming(f, "truncated");
    }

    @Test
    void truncatedGif() throws IOException {
        byte[] gif = encode(noise(64, 48), "gif");
        Path f = Files.write(dir.resolve("cut.gif"), Arrays.copyOf(gif, gif.length / 2));
        assertFailsNaming(f, "truncated");
    }

    @Test
    void pngHeaderClaimingGiantSizeIsRefusedBeforeDecoding() throws IOException {
        Path f = Files.write(dir.resolve("giant.png"), pngHeaderOnly(100_000, 100_000));
        ImageException e = assertFailsNaming(f, "100000x100000");
        assertTrue(e.getMessage().contains("refusing"), e.getMessage());
    }

    @Test
    void pngHeaderClaimingZeroWidth() throws IOException {
        // the PNG reader itself rejects width 0; either way the file and the problem are named
        Path f = Files.write(dir.resolve("zero.png"), pngHeaderOnly(0, 10));
        assertFailsNaming(f, "PNG");
    }

    @Test
    void jpegFrameHeaderClaimingGiantSize() throws IOException {
        byte[] jpg = encode(noise(16, 16), "jpeg");
        int sof = indexOf(jpg, new byte[] {(byte) 0xFF, (byte) 0xC0});
        assertTrue(sof > 0, "baseline SOF0 marker");
        // SOF0: FF C0, length(2), precision(1), height(2), width(2)
        ByteBuffer.wrap(jpg, sof + 5, 4).putShort((short) 60000).putShort((short) 60000);
        Path f = Files.write(dir.resolve("giant.jpg"), jpg);
        assertFailsNaming(f, "60000x60000");
    }

    // ---------------------------------------------------------------- formats and colour

    @Test
    void rgbPngBmpAndGifRoundTrip() throws IOException {
        BufferedImage src = noise(37, 23);
        for (String format : List.of("png", "bmp")) {
            BufferedImage back = ImageLoader.load(Files.write(dir.resolve("n." + format), encode(src, format)));
            assertEquals(BufferedImage.TYPE_INT_RGB, back.getType());
            assertSamePixels(src, back, format);
        }
        BufferedImage flat = blocks(32, 16, RED, BLUE, GREEN, WHITE);
        BufferedImage gif = ImageLoader.load(Files.write(dir.resolve("b.gif"), encode(flat, "gif")));
        assertSamePixels(flat, gif, "gif");
    }

    @Test
    void gifGivesItsFirstFrame() throws IOException {
        BufferedImage first = blocks(16, 16, RED, RED, RED, RED);
        BufferedImage second = blocks(16, 16, BLUE, BLUE, BLUE, BLUE);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(first, null, null), null);
            writer.writeToSequence(new IIOImage(second, null, null), null);
            writer.endWriteSequence();
        }
        writer.dispose();
        BufferedImage img = ImageLoader.load(Files.write(dir.resolve("anim.gif"), bytes.toByteArray()));
        assertSamePixels(first, img, "first frame");
    }

    @Test
    void rgbaPngIsCompositedOntoThePaddingColour() throws IOException {
        BufferedImage src = new BufferedImage(4, 1, BufferedImage.TYPE_INT_ARGB);
        src.setRGB(0, 0, 0xFF000000 | RED);   // opaque
        src.setRGB(1, 0, 0x00000000 | GREEN); // fully transparent
        src.setRGB(2, 0, 0x80000000 | BLUE);  // alpha 128
        src.setRGB(3, 0, 0x40FFFFFF);         // alpha 64, white
        BufferedImage img = ImageLoader.load(Files.write(dir.resolve("rgba.png"), encode(src, "png")));
        assertEquals(RED, rgb(img, 0, 0));
        assertEquals(0x7A7468, rgb(img, 1, 0), "transparent -> (122,116,104)");
        assertEquals(over(BLUE, 128), rgb(img, 2, 0));
        assertEquals(over(WHITE, 64), rgb(img, 3, 0));
    }

    @Test
    void palettePngWithTransparentEntry() throws IOException {
        byte[] r = {(byte) 255, 0, 0};
        byte[] g = {0, (byte) 255, 0};
        byte[] b = {0, 0, (byte) 255};
        byte[] a = {(byte) 255, (byte) 255, 0};
        IndexColorModel palette = new IndexColorModel(8, 3, r, g, b, a);
        BufferedImage src = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        src.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 1, 2});
        BufferedImage img = ImageLoader.load(Files.write(dir.resolve("palette.png"), encode(src, "png")));
        assertEquals(RED, rgb(img, 0, 0));
        assertEquals(GREEN, rgb(img, 1, 0));
        assertEquals(0x7A7468, rgb(img, 2, 0));
    }

    @Test
    void greyPngRepeatsTheGreyValue() throws IOException {
        // Java2D treats 8-bit grey as linear and would brighten it through getRGB; Pillow copies it
        BufferedImage src = new BufferedImage(256, 1, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 256; x++) {
            src.getRaster().setSample(x, 0, 0, x);
        }
        BufferedImage img = ImageLoader.load(Files.write(dir.resolve("grey.png"), encode(src, "png")));
        for (int x = 0; x < 256; x++) {
            assertEquals(x << 16 | x << 8 | x, rgb(img, x, 0), "grey " + x);
        }
    }

    @Test
    void sixteenBitGreyKeepsTheHighByte() throws IOException {
        BufferedImage src = new BufferedImage(256, 1, BufferedImage.TYPE_USHORT_GRAY);
        for (int x = 0; x < 256; x++) {
            src.getRaster().setSample(x, 0, 0, x << 8 | 0xC3);
        }
        BufferedImage img = ImageLoader.load(Files.write(dir.resolve("grey16.png"), encode(src, "png")));
        for (int x = 0; x < 256; x++) {
            assertEquals(x << 16 | x << 8 | x, rgb(img, x, 0), "grey " + x);
        }
    }

    @Test
    void greyAlphaPng() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {200, 255});
        raster.setPixel(1, 0, new int[] {200, 0});
        BufferedImage src = new BufferedImage(cm, raster, false, null);
        BufferedImage img = ImageLoader.load(Files.write(dir.resolve("grey-alpha.png"), encode(src, "png")));
        assertEquals(200 << 16 | 200 << 8 | 200, rgb(img, 0, 0));
        assertEquals(0x7A7468, rgb(img, 1, 0));
    }

    @Test
    void cmykJpegBecomesRgb() throws IOException {
        // TwelveMonkeys writes an Adobe APP14 CMYK JPEG for a CMYK image and reads it back as RGB
        ComponentColorModel cm = new ComponentColorModel(ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK),
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(32, 16);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                raster.setPixel(x, y, x < 16 ? new int[] {0, 255, 255, 0} : new int[] {255, 255, 0, 0});
            }
        }
        byte[] jpg = encode(new BufferedImage(cm, raster, false, null), "jpeg");
        assertTrue(indexOf(jpg, "Adobe".getBytes(StandardCharsets.US_ASCII)) > 0, "written as Adobe CMYK");
        BufferedImage img = ImageLoader.load(Files.write(dir.resolve("cmyk.jpg"), jpg));
        assertEquals(32, img.getWidth());
        assertEquals(RED, nearest(rgb(img, 4, 8), RED, GREEN, BLUE, WHITE), "C=0 M=Y=255 is red");
        assertEquals(BLUE, nearest(rgb(img, 28, 8), RED, GREEN, BLUE, WHITE), "C=M=255 Y=0 is blue");
    }

    @Test
    void embeddedIccProfileIsNotApplied() throws IOException {
        // Pillow keeps the stored values of an RGB JPEG whatever its ICC profile says; TwelveMonkeys
        // alone would convert Adobe RGB (1998) to sRGB, (40,200,90) -> about (0,201,80)
        ComponentColorModel cm = new ComponentColorModel(ColorSpaces.getColorSpace(ColorSpaces.CS_ADOBE_RGB_1998),
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(16, 16);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                raster.setPixel(x, y, new int[] {40, 200, 90});
            }
        }
        byte[] jpg = encode(new BufferedImage(cm, raster, false, null), "jpeg");
        assertTrue(indexOf(jpg, "ICC_PROFILE".getBytes(StandardCharsets.US_ASCII)) > 0, "profile embedded");
        int converted = rgb(ImageIO.read(new java.io.ByteArrayInputStream(jpg)), 8, 8);
        assertTrue(distance(converted, 40 << 16 | 200 << 8 | 90) > 20, "plain ImageIO converts: " + Integer.toHexString(converted));
        int loaded = rgb(ImageLoader.load(Files.write(dir.resolve("adobe-rgb.jpg"), jpg)), 8, 8);
        assertTrue(distance(loaded, 40 << 16 | 200 << 8 | 90) <= 2, "stored values kept: " + Integer.toHexString(loaded));
    }

    /** Google's WebP feature-detection images (developers.google.com/speed/webp/faq), each 1x1. */
    @ParameterizedTest
    @CsvSource({
        "lossy,    UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA, false",
        "lossless, UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==, true",
        "alpha,    UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==, true"
    })
    void webp(String kind, String base64, boolean transparent) throws IOException {
        Path f = Files.write(dir.resolve(kind + ".webp"), Base64.getDecoder().decode(base64));
        BufferedImage img = ImageLoader.load(f);
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
        assertEquals(1, img.getWidth());
        assertEquals(1, img.getHeight());
        if (transparent) {
            assertEquals(0x7A7468, rgb(img, 0, 0), kind + ": a transparent pixel shows the padding colour");
        }
    }

    // ---------------------------------------------------------------- EXIF orientation

    /**
     * A 64x32 JPEG with coloured quadrants (stored top-left red, top-right blue, bottom-left green,
     * bottom-right white) and an EXIF orientation: where the stored top corners must be shown,
     * per the EXIF definitions (e.g. 6 = turn 90 degrees clockwise to view).
     */
    @ParameterizedTest
    @CsvSource({
        "1, TL, TR", "2, TR, TL", "3, BR, BL", "4, BL, BR",
        "5, TL, BL", "6, TR, BR", "7, BR, TR", "8, BL, TL"
    })
    void exifOrientationIsApplied(int orientation, String redCorner, String blueCorner) throws IOException {
        byte[] jpg = withExifOrientation(encode(blocks(64, 32, RED, BLUE, GREEN, WHITE), "jpeg"), orientation);
        BufferedImage img = ImageLoader.load(Files.write(dir.resolve("o" + orientation + ".jpg"), jpg));
        boolean swapped = orientation >= 5;
        assertEquals(swapped ? 32 : 64, img.getWidth(), "width");
        assertEquals(swapped ? 64 : 32, img.getHeight(), "height");
        assertEquals(RED, nearest(corner(img, redCorner), RED, GREEN, BLUE, WHITE), "red corner");
        assertEquals(BLUE, nearest(corner(img, blueCorner), RED, GREEN, BLUE, WHITE), "blue corner");
    }

    @Test
    void corruptExifIsIgnored() throws IOException {
        byte[] jpg = encode(blocks(64, 32, RED, BLUE, GREEN, WHITE), "jpeg");
        byte[] exif = app1Exif(new byte[] {'M', 'M', 0, 42, 0x7F, 0, 0, 0}); // IFD offset far past the end
        BufferedImage img = ImageLoader.load(Files.write(dir.resolve("bad-exif.jpg"), splice(jpg, exif)));
        assertEquals(64, img.getWidth());
    }

    // ---------------------------------------------------------------- helpers

    private static ImageException assertFailsNaming(Path file, String problem) {
        ImageException e = assertThrows(ImageException.class, () -> ImageLoader.load(file));
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains(problem.toLowerCase()), "says '" + problem + "': " + e.getMessage());
        return e;
    }

    static BufferedImage noise(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(w * 31L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt() & 0xFFFFFF);
            }
        }
        return img;
    }

    /** Four flat quadrants: top-left, top-right, bottom-left, bottom-right. */
    static BufferedImage blocks(int w, int h, int tl, int tr, int bl, int br) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, y < h / 2 ? (x < w / 2 ? tl : tr) : (x < w / 2 ? bl : br));
            }
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "ImageIO writes " + format);
        return out.toByteArray();
    }

    /** PNG signature, IHDR (8-bit RGB) with a valid CRC, IEND: a header without pixel data. */
    private static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0});
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(b, "IHDR", ihdr.array());
        chunk(b, "IEND", new byte[0]);
        return b.array();
    }

    private static void chunk(ByteBuffer b, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt(data.length).put(t).put(data).putInt((int) crc.getValue());
    }

    /** The JPEG with an Exif APP1 segment holding only IFD0/Orientation, placed after the JFIF APP0. */
    private static byte[] withExifOrientation(byte[] jpg, int orientation) throws IOException {
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(tiff)) {
            new TIFFWriter().write(List.of(new TIFFEntry(TIFF.TAG_ORIENTATION, TIFF.TYPE_SHORT, (short) orientation)), out);
        }
        return splice(jpg, app1Exif(tiff.toByteArray()));
    }

    private static byte[] app1Exif(byte[] tiff) {
        int length = 2 + 6 + tiff.length;
        return ByteBuffer.allocate(2 + length).put((byte) 0xFF).put((byte) 0xE1).putShort((short) length)
                .put("Exif\0\0".getBytes(StandardCharsets.US_ASCII)).put(tiff).array();
    }

    private static byte[] splice(byte[] jpg, byte[] segment) {
        assertEquals((byte) 0xE0, jpg[3], "ImageIO writes JFIF APP0 first");
        int at = 4 + ((jpg[4] & 0xFF) << 8 | (jpg[5] & 0xFF));
        byte[] out = new byte[jpg.length + segment.length];
        System.arraycopy(jpg, 0, out, 0, at);
        System.arraycopy(segment, 0, out, at, segment.length);
        System.arraycopy(jpg, at, out, at + segment.length, jpg.length - at);
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    /** A pixel well inside the named quadrant (away from JPEG edge ringing). */
    private static int corner(BufferedImage img, String which) {
        int x = which.charAt(1) == 'L' ? img.getWidth() / 8 : img.getWidth() * 7 / 8;
        int y = which.charAt(0) == 'T' ? img.getHeight() / 8 : img.getHeight() * 7 / 8;
        return rgb(img, x, y);
    }

    /** Largest channel difference. */
    private static int distance(int a, int b) {
        int d = 0;
        for (int s = 0; s < 24; s += 8) {
            d = Math.max(d, Math.abs((a >> s & 0xFF) - (b >> s & 0xFF)));
        }
        return d;
    }

    private static int nearest(int rgb, int... candidates) {
        int best = candidates[0];
        long bestD = Long.MAX_VALUE;
        for (int c : candidates) {
            long d = 0;
            for (int s = 0; s < 24; s += 8) {
                long diff = (rgb >> s & 0xFF) - (c >> s & 0xFF);
                d += diff * diff;
            }
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    /** Straight-alpha "over" onto (122,116,104), rounded: what a transparent pixel must look like. */
    private static int over(int rgb, int alpha) {
        int[] bg = {122, 116, 104};
        int out = 0;
        for (int c = 0; c < 3; c++) {
            int v = rgb >> (16 - 8 * c) & 0xFF;
            out = out << 8 | (int) Math.round((v * alpha + bg[c] * (255.0 - alpha)) / 255.0);
        }
        return out;
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual, String what) {
        assertEquals(expected.getWidth(), actual.getWidth(), what + " width");
        assertEquals(expected.getHeight(), actual.getHeight(), what + " height");
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertEquals(rgb(expected, x, y), rgb(actual, x, y), what + " pixel " + x + "," + y);
            }
        }
    }
}
