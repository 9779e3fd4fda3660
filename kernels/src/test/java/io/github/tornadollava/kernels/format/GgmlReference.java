package io.github.tornadollava.kernels.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An independent, deliberately plain transcription of ggml's dequantize_row_* (ggml-quants.c)
 * and block structs (ggml-common.h), reading a little-endian byte[] struct by struct. It shares
 * no code with the production formats, so a layout slip in either shows up as a mismatch.
 */
final class GgmlReference {

    private GgmlReference() {
    }

    /** IEEE binary16 to float by its definition (no library conversion). */
    static float half(int bits) {
        int sign = (bits >> 15) & 1;
        int exp = (bits >> 10) & 0x1f;
        int mant = bits & 0x3ff;
        double v;
        if (exp == 0) {
            v = mant * Math.pow(2, -24);
        } else if (exp == 31) {
            return mant == 0 ? (sign == 1 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY) : Float.NaN;
        } else {
            v = (1024 + mant) * Math.pow(2, exp - 25);
        }
        return (float) (sign == 1 ? -v : v);
    }

    static float[] dequantize(GGMLType type, byte[] bytes, int n) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] y = new float[n];
        switch (type) {
            case F32 -> { for (int i = 0; i < n; i++) y[i] = b.getFloat(4 * i); }
            case F16 -> { for (int i = 0; i < n; i++) y[i] = half(b.getShort(2 * i) & 0xffff); }
            case BF16 -> { for (int i = 0; i < n; i++) y[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16); }
            case Q8_0 -> q8_0(b, y, n);
            case Q4_0 -> q4_0(b, y, n);
            case Q4_1 -> q4_1(b, y, n);
            case Q5_0 -> q5_0(b, y, n);
            case Q5_1 -> q5_1(b, y, n);
            case Q4_K -> q4_K(b, y, n);
            case Q5_K -> q5_K(b, y, n);
            case Q6_K -> q6_K(b, y, n);
            default -> throw new IllegalArgumentException(type.toString());
        }
        return y;
    }

    /**
     * x86 quantize_row_q8_0 (ggml-cpu/arch/x86/quants.c, AVX2 path) dequantized again:
     * d = amax / 127 stored as a half, q = round-half-even(x * (127 / amax)).
     */
    static float[] q8_0Activations(float[] x, int n) {
        float[] y = new float[n];
        for (int b = 0; b < n / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            }
            float d = half(Float.floatToFloat16(amax / 127f) & 0xffff);
            float id = amax != 0 ? 127f / amax : 0f;
            for (int j = 0; j < 32; j++) {
                y[b * 32 + j] = (int) Math.rint(x[b * 32 + j] * id) * d; // int8: no -0
            }
        }
        return y;
    }

    /** quantize_row_q8_K_ref dequantized again: iscale = -127 / (the value of largest magnitude), q = min(127, nearest_int). */
    static float[] q8_KActivations(float[] x, int n) {
        float[] y = new float[n];
        for (int b = 0; b < n / 256; b++) {
            float max = 0;
            float amax = 0;
            for (int j = 0; j < 256; j++) {
                if (Math.abs(x[b * 256 + j]) > amax) {
                    amax = Math.abs(x[b * 256 + j]);
                    max = x[b * 256 + j];
                }
            }
            if (amax == 0) {
                continue;
            }
            float iscale = -127f / max;
            for (int j = 0; j < 256; j++) {
                y[b * 256 + j] = Math.min(127, (int) Math.rint(iscale * x[b * 256 + j])) * (1 / iscale);
            }
        }
        return y;
    }

    private static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    private static float h(ByteBuffer b, int at) {
        return half(b.getShort(at) & 0xffff);
    }

    // block_q8_0 { ggml_half d; int8_t qs[32]; }
    private static void q8_0(ByteBuffer b, float[] y, int k) {
        for (int i = 0; i < k / 32; i++) {
            int x = i * 34;
            float d = h(b, x);
            for (int j = 0; j < 32; ++j) {
                y[i * 32 + j] = b.get(x + 2 + j) * d;
            }
        }
    }

    // block_q4_0 { ggml_half d; uint8_t qs[16]; }
    private static void q4_0(ByteBuffer b, float[] y, int k) {
        for (int i = 0; i < k / 32; i++) {
            int x = i * 18;
            float d = h(b, x);
            for (int j = 0; j < 16; ++j) {
                int x0 = (u8(b, x + 2 + j) & 0x0F) - 8;
                int x1 = (u8(b, x + 2 + j) >> 4) - 8;
                y[i * 32 + j] = x0 * d;
                y[i * 32 + j + 16] = x1 * d;
            }
        }
    }

    // block_q4_1 { ggml_half d; ggml_half m; uint8_t qs[16]; }
    private static void q4_1(ByteBuffer b, float[] y, int k) {
        for (int i = 0; i < k / 32; i++) {
            int x = i * 20;
            float d = h(b, x);
            float m = h(b, x + 2);
            for (int j = 0; j < 16; ++j) {
                int x0 = u8(b, x + 4 + j) & 0x0F;
                int x1 = u8(b, x + 4 + j) >> 4;
                y[i * 32 + j] = x0 * d + m;
                y[i * 32 + j + 16] = x1 * d + m;
            }
        }
    }

    // block_q5_0 { ggml_half d; uint8_t qh[4]; uint8_t qs[16]; }
    private static void q5_0(ByteBuffer b, float[] y, int k) {
        for (int i = 0; i < k / 32; i++) {
            int x = i * 22;
            float d = h(b, x);
            long qh = b.getInt(x + 2) & 0xffffffffL;
            for (int j = 0; j < 16; ++j) {
                int xh0 = (int) (((qh >> j) << 4) & 0x10);
                int xh1 = (int) ((qh >> (j + 12)) & 0x10);
                int x0 = ((u8(b, x + 6 + j) & 0x0F) | xh0) - 16;
                int x1 = ((u8(b, x + 6 + j) >> 4) | xh1) - 16;
                y[i * 32 + j] = x0 * d;
                y[i * 32 + j + 16] = x1 * d;
            }
        }
    }

    // block_q5_1 { ggml_half d; ggml_half m; uint8_t qh[4]; uint8_t qs[16]; }
    private static void q5_1(ByteBuffer b, float[] y, int k) {
        for (int i = 0; i < k / 32; i++) {
            int x = i * 24;
            float d = h(b, x);
            float m = h(b, x + 2);
            long qh = b.getInt(x + 4) & 0xffffffffL;
            for (int j = 0; j < 16; ++j) {
                int xh0 = (int) (((qh >> j) << 4) & 0x10);
                int xh1 = (int) ((qh >> (j + 12)) & 0x10);
                int x0 = (u8(b, x + 8 + j) & 0x0F) | xh0;
                int x1 = (u8(b, x + 8 + j) >> 4) | xh1;
                y[i * 32 + j] = x0 * d + m;
                y[i * 32 + j + 16] = x1 * d + m;
            }
        }
    }

    // get_scale_min_k4(j, q, &d, &m) over the 12 scale bytes starting at q
    private static int[] scaleMin(ByteBuffer b, int q, int j) {
        if (j < 4) {
            return new int[] {u8(b, q + j) & 63, u8(b, q + j + 4) & 63};
        }
        return new int[] {
            (u8(b, q + j + 4) & 0xF) | ((u8(b, q + j - 4) >> 6) << 4),
            (u8(b, q + j + 4) >> 4) | ((u8(b, q + j) >> 6) << 4)
        };
    }

    // block_q4_K { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qs[128]; }
    private static void q4_K(ByteBuffer b, float[] y, int k) {
        int out = 0;
        for (int i = 0; i < k / 256; i++) {
            int x = i * 144;
            float d = h(b, x);
            float min = h(b, x + 2);
            int q = x + 16;
            int is = 0;
            for (int j = 0; j < 256; j += 64) {
                int[] sm = scaleMin(b, x + 4, is);
                float d1 = d * sm[0];
                float m1 = min * sm[1];
                sm = scaleMin(b, x + 4, is + 1);
                float d2 = d * sm[0];
                float m2 = min * sm[1];
                for (int l = 0; l < 32; ++l) y[out++] = d1 * (u8(b, q + l) & 0xF) - m1;
                for (int l = 0; l < 32; ++l) y[out++] = d2 * (u8(b, q + l) >> 4) - m2;
                q += 32;
                is += 2;
            }
        }
    }

    // block_q5_K { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; }
    private static void q5_K(ByteBuffer b, float[] y, int k) {
        int out = 0;
        for (int i = 0; i < k / 256; i++) {
            int x = i * 176;
            float d = h(b, x);
            float min = h(b, x + 2);
            int ql = x + 48;
            int qh = x + 16;
            int is = 0;
            int u1 = 1;
            int u2 = 2;
            for (int j = 0; j < 256; j += 64) {
                int[] sm = scaleMin(b, x + 4, is);
                float d1 = d * sm[0];
                float m1 = min * sm[1];
                sm = scaleMin(b, x + 4, is + 1);
                float d2 = d * sm[0];
                float m2 = min * sm[1];
                for (int l = 0; l < 32; ++l) y[out++] = d1 * ((u8(b, ql + l) & 0xF) + ((u8(b, qh + l) & u1) != 0 ? 16 : 0)) - m1;
                for (int l = 0; l < 32; ++l) y[out++] = d2 * ((u8(b, ql + l) >> 4) + ((u8(b, qh + l) & u2) != 0 ? 16 : 0)) - m2;
                ql += 32;
                is += 2;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }

    // block_q6_K { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d; }
    private static void q6_K(ByteBuffer b, float[] y, int k) {
        for (int i = 0; i < k / 256; i++) {
            int x = i * 210;
            float d = h(b, x + 208);
            int ql = x;
            int qh = x + 128;
            int sc = x + 192;
            int out = i * 256;
            for (int n = 0; n < 256; n += 128) {
                for (int l = 0; l < 32; ++l) {
                    int is = l / 16;
                    int q1 = (byte) ((u8(b, ql + l) & 0xF) | (((u8(b, qh + l) >> 0) & 3) << 4)) - 32;
                    int q2 = (byte) ((u8(b, ql + l + 32) & 0xF) | (((u8(b, qh + l) >> 2) & 3) << 4)) - 32;
                    int q3 = (byte) ((u8(b, ql + l) >> 4) | (((u8(b, qh + l) >> 4) & 3) << 4)) - 32;
                    int q4 = (byte) ((u8(b, ql + l + 32) >> 4) | (((u8(b, qh + l) >> 6) & 3) << 4)) - 32;
                    y[out + l] = d * b.get(sc + is) * q1;
                    y[out + l + 32] = d * b.get(sc + is + 2) * q2;
                    y[out + l + 64] = d * b.get(sc + is + 4) * q3;
                    y[out + l + 96] = d * b.get(sc + is + 6) * q4;
                }
                out += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }
}
