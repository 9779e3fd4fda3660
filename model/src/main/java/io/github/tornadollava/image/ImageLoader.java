package io.github.tornadollava.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;

/**
 * Reads a picture file into an upright {@link BufferedImage#TYPE_INT_RGB}: PNG, JPEG (also CMYK/YCCK),
 * BMP, GIF (first frame) and WebP, through ImageIO and the TwelveMonkeys plugins on the class path.
 *
 * <ul>
 * <li>JPEG EXIF orientation is applied (as Hugging Face's {@code load_image} does via exif_transpose);</li>
 * <li>transparency is composited onto the LLaVA padding colour {@link #BACKGROUND_RGB}, so transparent
 *     regions look like the padding the model was trained with;</li>
 * <li>grey, palette and 16-bit images become 8-bit RGB the way Pillow's {@code convert("RGB")} does.</li>
 * </ul>
 *
 * <p>Every problem (missing, empty, corrupt, truncated, unknown format, absurd size) is an
 * {@link ImageException} naming the file. The size is read from the header and checked before any
 * pixel memory is allocated, so a 100000x100000 header cannot exhaust the heap.
 *
 * <p>The file is read into memory once and decoded from there: no ImageIO disk cache, no progress
 * listeners; pictures are small next to the model.
 */
public final class ImageLoader {

    /** LLaVA-1.5's padding colour, int(255 * CLIP mean) = (122, 116, 104), as 0xRRGGBB. */
    public static final int BACKGROUND_RGB = 122 << 16 | 116 << 8 | 104;
    /** Largest accepted width or height. */
    public static final int MAX_SIDE = 16384;
    /** Largest accepted width x height (64 Mpixel: about 256 MB once decoded). */
    public static final long MAX_PIXELS = 64L * 1024 * 1024;
    /** Largest accepted file: an uncompressed 32-bit picture at the pixel limit, plus headers. */
    public static final long MAX_FILE_BYTES = MAX_PIXELS * 4 + (1 << 20);

    private ImageLoader() {
    }

    public static BufferedImage load(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ImageException(file, "file is " + size + " bytes, more than the " + MAX_FILE_BYTES + " accepted for an image");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageException(file, "no such file", e);
        } catch (IOException e) {
            throw new ImageException(file, "cannot read: " + e, e);
        }
        return decode(bytes, file);
    }

    /** Decodes an image held in memory; {@code source} only names it in error messages. */
    public static BufferedImage decode(byte[] bytes, Path source) {
        if (bytes.length == 0) {
            throw new ImageException(source, "empty file (0 bytes), not an image");
        }
        try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException(source, "unknown or unsupported image format (starts with "
                        + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.min(8, bytes.length))
                        + "); supported: PNG, JPEG, BMP, GIF, WebP");
            }
            ImageReader reader = readers.next();
            try {
                return decode(reader, in, bytes, source);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            // only close() of an in-memory stream can get here
            throw new ImageException(source, "cannot decode: " + e, e);
        }
    }

    private static BufferedImage decode(ImageReader reader, ImageInputStream in, byte[] bytes, Path source) {
        String format = formatName(reader);
        // forward-only, no metadata: the cheapest way through every plugin (EXIF is read separately)
        reader.setInput(in, true, true);
        int width;
        int height;
        try {
            width = reader.getWidth(0);
            height = reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
            throw new ImageException(source, "corrupt " + format + " header: " + describe(e), e);
        }
        checkSize(source, format, width, height);

        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((IIOReadWarningListener) (r, warning) -> warnings.add(warning));
        BufferedImage image;
        try {
            image = reader.read(0, storedValuesParam(reader));
        } catch (IOException | RuntimeException e) {
            throw new ImageException(source, "corrupt or truncated " + format + " data (" + width + "x" + height + "): " + describe(e), e);
        } catch (OutOfMemoryError e) {
            throw new ImageException(source, "not enough memory to decode a " + width + "x" + height + " " + format, e);
        }
        for (String w : warnings) {
            if (isTruncation(w)) {
                // libjpeg fills the missing part with grey and only warns; Pillow refuses such files
                throw new ImageException(source, "truncated " + format + " data: " + w);
            }
        }
        if (image == null || image.getWidth() <= 0 || image.getHeight() <= 0) {
            throw new ImageException(source, "the " + format + " decoder produced no picture");
        }
        BufferedImage rgb = RgbConversion.toIntRgb(image, BACKGROUND_RGB);
        if (format.equals("JPEG")) {
            rgb = ExifOrientation.apply(rgb, ExifOrientation.read(bytes));
        }
        return rgb;
    }

    /**
     * Asks for the stored colour values even when an embedded ICC profile describes another RGB or
     * grey space: TwelveMonkeys would convert those to sRGB, Pillow (hence the HF pipeline LLaVA
     * was trained with) ignores the profile. CMYK/YCCK keep the plugin's default conversion to RGB.
     */
    private static ImageReadParam storedValuesParam(ImageReader reader) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        ImageTypeSpecifier raw = reader.getRawImageType(0);
        if (raw != null) {
            ColorSpace cs = raw.getColorModel().getColorSpace();
            boolean rgbOrGrey = cs.getType() == ColorSpace.TYPE_RGB || cs.getType() == ColorSpace.TYPE_GRAY;
            if (rgbOrGrey && !cs.isCS_sRGB()) {
                param.setDestinationType(raw);
            }
        }
        return param;
    }

    /** Some plugins throw a bare EOFException or ArrayIndexOutOfBoundsException: name the type then. */
    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }

    private static boolean isTruncation(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("premature end") || w.contains("truncated");
    }

    static void checkSize(Path source, String format, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new ImageException(source, format + " header gives a zero-sized image (" + width + "x" + height + ")");
        }
        if (width > MAX_SIDE || height > MAX_SIDE || (long) width * height > MAX_PIXELS) {
            throw new ImageException(source, format + " header claims " + width + "x" + height
                    + " pixels; refusing more than " + MAX_SIDE + " per side or " + MAX_PIXELS + " in all");
        }
    }
}
