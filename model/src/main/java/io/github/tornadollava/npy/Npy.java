package io.github.tornadollava.npy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} (format 1.0/2.0) for the arrays users exchange with other runtimes:
 * little-endian float32 / uint8 / int32 / int64, C order. Reading converts every element to float.
 */
public final class Npy {

    /** A decoded array: its shape and its values as floats, in C order. */
    public record Array(int[] shape, float[] data) {
        public int dim(int i) {
            return shape[i];
        }

        @Override
        public String toString() {
            return "npy" + Arrays.toString(shape);
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    public static Array read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IOException(path + ": not a .npy file");
        }
        int major = bytes[6];
        int headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(b.getShort(8));
            headerStart = 10;
        } else {
            headerLen = b.getInt(8);
            headerStart = 12;
        }
        if (headerLen < 0 || headerStart + headerLen > bytes.length) {
            throw new IOException(path + ": truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLen, StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, path, "descr");
        if ("True".equals(group(FORTRAN, header, path, "fortran_order"))) {
            throw new IOException(path + ": Fortran-ordered arrays are not supported");
        }
        String shapeText = group(SHAPE, header, path, "shape").trim();
        int[] shape = shapeText.isEmpty() ? new int[0]
                : Arrays.stream(shapeText.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long count = 1;
        for (int d : shape) {
            count = Math.multiplyExact(count, d);
        }
        int dataStart = headerStart + headerLen;
        int elemSize = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1", "|i1" -> 1;
            default -> throw new IOException(path + ": unsupported dtype " + descr);
        };
        if (dataStart + count * elemSize > bytes.length) {
            throw new IOException(path + ": truncated .npy data");
        }
        float[] data = new float[(int) count];
        b.position(dataStart);
        for (int i = 0; i < count; i++) {
            data[i] = switch (descr) {
                case "<f4" -> b.getFloat();
                case "<i4" -> b.getInt();
                case "<f8" -> (float) b.getDouble();
                case "<i8" -> b.getLong();
                case "|u1" -> Byte.toUnsignedInt(b.get());
                default -> b.get();
            };
        }
        return new Array(shape, data);
    }

    /** Writes {@code data} as a little-endian float32 array of the given shape. */
    public static void writeFloat32(Path path, float[] data, int... shape) throws IOException {
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + data.length + " values");
        }
        StringBuilder sh = new StringBuilder();
        for (int d : shape) {
            sh.append(d).append(", ");
        }
        if (shape.length > 1) {
            sh.setLength(sh.length() - 2);
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + sh + "), }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.asFloatBuffer().put(data);
        try (OutputStream os = Files.newOutputStream(path)) {
            os.write(out.array());
        }
    }

    private static String group(Pattern p, String header, Path path, String what) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(path + ": .npy header has no " + what);
        }
        return m.group(1);
    }
}
