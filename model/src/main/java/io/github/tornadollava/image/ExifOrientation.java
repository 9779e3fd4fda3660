package io.github.tornadollava.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import javax.imageio.stream.ImageInputStream;

import com.twelvemonkeys.imageio.metadata.CompoundDirectory;
import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;

/**
 * The EXIF orientation tag of a JPEG (cameras store the sensor's pixels and record how to turn them)
 * and its application, as Pillow's {@code ImageOps.exif_transpose} does before Hugging Face processors
 * see the picture. Decoders do not apply it themselves.
 */
final class ExifOrientation {

    private ExifOrientation() {
    }

    /**
     * The orientation (1..8) stored in IFD0 of the JPEG's Exif APP1 segment; 1 (as stored) when
     * there is none or it cannot be read: broken metadata must not make a viewable picture unusable.
     */
    static int read(byte[] jpeg) {
        try (ImageInputStream in = new ByteArrayImageInputStream(jpeg)) {
            List<JPEGSegment> exif = JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif");
            if (exif.isEmpty()) {
                return 1;
            }
            InputStream data = exif.getFirst().data();
            // the identifier is "Exif\0\0": data() starts after the first NUL, skip the pad byte
            if (data.read() < 0) {
                return 1;
            }
            byte[] tiff = data.readAllBytes();
            Directory dir = new TIFFReader().read(new ByteArrayImageInputStream(tiff));
            // IFD0 describes the main image (IFD1 is the thumbnail)
            Directory ifd0 = dir instanceof CompoundDirectory compound ? compound.getDirectory(0) : dir;
            Entry entry = ifd0.getEntryById(TIFF.TAG_ORIENTATION);
            if (entry != null && entry.getValue() instanceof Number n && n.intValue() >= 1 && n.intValue() <= 8) {
                return n.intValue();
            }
            return 1;
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    /** {@code image} (TYPE_INT_RGB) turned upright for the given orientation; the same object for 1. */
    static BufferedImage apply(BufferedImage image, int orientation) {
        if (orientation == 1) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int[] src = (int[]) image.getRaster().getDataElements(0, 0, w, h, null);
        boolean swap = orientation >= 5;
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // where stored pixel (x, y) is shown; names as in Pillow's Image.Transpose
                int nx;
                int ny;
                switch (orientation) {
                    case 2 -> { nx = w - 1 - x; ny = y; }          // FLIP_LEFT_RIGHT
                    case 3 -> { nx = w - 1 - x; ny = h - 1 - y; }  // ROTATE_180
                    case 4 -> { nx = x; ny = h - 1 - y; }          // FLIP_TOP_BOTTOM
                    case 5 -> { nx = y; ny = x; }                  // TRANSPOSE
                    case 6 -> { nx = h - 1 - y; ny = x; }          // ROTATE_270 (90 degrees clockwise)
                    case 7 -> { nx = h - 1 - y; ny = w - 1 - x; }  // TRANSVERSE
                    case 8 -> { nx = y; ny = w - 1 - x; }          // ROTATE_90 (counter-clockwise)
                    default -> throw new IllegalArgumentException("EXIF orientation " + orientation);
                }
                dst[ny * outW + nx] = src[y * w + x];
            }
        }
        return out;
    }
}
