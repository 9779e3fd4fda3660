package io.github.tornadollava.image;

import java.util.Arrays;

/**
 * Pillow's {@code Image.resize(size, BICUBIC)} on 8-bit RGB, reproduced value for value
 * (libImaging/Resample.c, as in Pillow 9.4 which made the golden pixels; no {@code reducing_gap}).
 *
 * <p>Why a copy and not any bicubic: LLaVA and CLIP were fed Pillow's output, and a generic float
 * bicubic differs by 1-3 uint8 levels. What has to match Pillow:
 * <ul>
 * <li>separable, horizontal pass first, then vertical; a pass whose size does not change is skipped
 *     (so no rounding happens there);</li>
 * <li>Keys kernel with a = -0.5, support 2 widened by the downscale factor (an antialiasing filter);</li>
 * <li>per output pixel the taps are normalised in double, then turned into fixed point with 22
 *     fraction bits, each rounded half away from zero;</li>
 * <li>accumulation in int starting at one half, result shifted and clamped to 0..255 after each pass.</li>
 * </ul>
 *
 * <p>Callers may ask for a window of the output (the centre crop) and supply the source row by row
 * (the padded canvas), so neither a huge resized image nor a huge canvas is ever materialised;
 * each output pixel depends only on its own taps, so the window equals that part of the full resize.
 */
final class PillowBicubic {

    /** Fills {@code dst[0 .. width*3)} with row {@code y} of the source, interleaved RGB. */
    @FunctionalInterface
    interface Rows {
        void row(int y, byte[] dst);
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private PillowBicubic() {
    }

    /** The whole of {@code src} resized to {@code outW x outH}. */
    static RgbImage resize(RgbImage src, int outW, int outH) {
        return resizeWindow(rowsOf(src), src.width(), src.height(), outW, outH, 0, 0, outW, outH);
    }

    static Rows rowsOf(RgbImage src) {
        int stride = src.width() * 3;
        return (y, dst) -> System.arraycopy(src.pixels(), y * stride, dst, 0, stride);
    }

    /**
     * The {@code w x h} window at ({@code x0}, {@code y0}) of the {@code outW x outH} resize of an
     * {@code inW x inH} source.
     */
    static RgbImage resizeWindow(Rows src, int inW, int inH, int outW, int outH, int x0, int y0, int w, int h) {
        if (x0 < 0 || y0 < 0 || w <= 0 || h <= 0 || x0 + w > outW || y0 + h > outH) {
            throw new IllegalArgumentException("window " + w + "x" + h + "+" + x0 + "+" + y0 + " outside " + outW + "x" + outH);
        }
        boolean needHorizontal = outW != inW;
        boolean needVertical = outH != inH;
        Taps vertical = needVertical ? Taps.bicubic(inH, outH, y0, h) : null;
        Taps horizontal = needHorizontal ? Taps.bicubic(inW, outW, x0, w) : null;

        // Rows of the source the vertical pass reads; only those go through the horizontal pass.
        int firstRow = needVertical ? vertical.min[0] : y0;
        int endRow = needVertical ? vertical.min[h - 1] + vertical.count[h - 1] : y0 + h;
        int rowBytes = w * 3;
        byte[] temp = new byte[Math.multiplyExact(endRow - firstRow, rowBytes)];
        byte[] line = new byte[inW * 3];
        byte[] previous = needHorizontal ? new byte[inW * 3] : null;
        for (int r = 0; r < endRow - firstRow; r++) {
            src.row(firstRow + r, line);
            if (needHorizontal) {
                if (r > 0 && Arrays.equals(line, previous)) {
                    // same input row, same output: the padding rows of a wide picture are all alike
                    System.arraycopy(temp, (r - 1) * rowBytes, temp, r * rowBytes, rowBytes);
                } else {
                    horizontalPass(line, horizontal, temp, r * rowBytes);
                    System.arraycopy(line, 0, previous, 0, line.length);
                }
            } else {
                System.arraycopy(line, x0 * 3, temp, r * rowBytes, rowBytes);
            }
        }
        if (!needVertical) {
            return new RgbImage(w, h, temp);
        }
        byte[] out = new byte[h * rowBytes];
        verticalPass(temp, rowBytes, firstRow, vertical, out);
        return new RgbImage(w, h, out);
    }

    private static void horizontalPass(byte[] line, Taps taps, byte[] out, int outOff) {
        for (int xx = 0; xx < taps.n; xx++) {
            int xmin = taps.min[xx];
            int count = taps.count[xx];
            int k0 = xx * taps.ksize;
            int s0 = 1 << (PRECISION_BITS - 1);
            int s1 = s0;
            int s2 = s0;
            for (int j = 0, p = xmin * 3; j < count; j++, p += 3) {
                int k = taps.k[k0 + j];
                s0 += (line[p] & 0xFF) * k;
                s1 += (line[p + 1] & 0xFF) * k;
                s2 += (line[p + 2] & 0xFF) * k;
            }
            int o = outOff + xx * 3;
            out[o] = clip8(s0);
            out[o + 1] = clip8(s1);
            out[o + 2] = clip8(s2);
        }
    }

    private static void verticalPass(byte[] temp, int rowBytes, int firstRow, Taps taps, byte[] out) {
        int[] acc = new int[rowBytes];
        for (int yy = 0; yy < taps.n; yy++) {
            Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            int ymin = taps.min[yy] - firstRow;
            int k0 = yy * taps.ksize;
            for (int j = 0; j < taps.count[yy]; j++) {
                int k = taps.k[k0 + j];
                int row = (ymin + j) * rowBytes;
                for (int i = 0; i < rowBytes; i++) {
                    acc[i] += (temp[row + i] & 0xFF) * k;
                }
            }
            for (int i = 0; i < rowBytes; i++) {
                out[yy * rowBytes + i] = clip8(acc[i]);
            }
        }
    }

    /** Pillow's clip8: the arithmetic shift floors, then the lookup table clamps to 0..255. */
    private static byte clip8(int acc) {
        return (byte) Math.clamp(acc >> PRECISION_BITS, 0, 255);
    }

    /** Keys cubic convolution, a = -0.5, written in the order Resample.c evaluates it. */
    static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /**
     * Fixed-point filter taps for output indices {@code from .. from+n} of a resize from
     * {@code inSize} to {@code outSize} (Resample.c precompute_coeffs + normalize_coeffs_8bpc, box = whole image).
     */
    record Taps(int n, int ksize, int[] min, int[] count, int[] k) {

        static Taps bicubic(int inSize, int outSize, int from, int n) {
            // Pillow's box edges are floats: (in1 - in0) is a float difference, widened to double
            double scale = (double) ((float) inSize - 0.0f) / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] min = new int[n];
            int[] count = new int[n];
            int[] k = new int[Math.multiplyExact(n, ksize)];
            double[] w = new double[ksize];
            for (int i = 0; i < n; i++) {
                int xx = from + i;
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                // (int) truncates toward zero as C's cast does; "+ 0.5" is Pillow's rounding
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = PillowBicubic.bicubic((x + xmin - center + 0.5) * ss);
                    ww += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? w[x] / ww : w[x];
                    k[i * ksize + x] = v < 0
                            ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                            : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                min[i] = xmin;
                count[i] = xmax;
            }
            return new Taps(n, ksize, min, count, k);
        }
    }
}
