package io.github.tornadollava.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.github.tornadollava.kernels.cpu.Parallel;
import io.github.tornadollava.kernels.cpu.WeightMatrix;
import io.github.tornadollava.kernels.format.GGMLType;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Turns the GGUF weight matrices into the device layouts of {@link DeviceMatrix}. F32, F16 and
 * Q8_0 are copied as stored (Q8_0's 34-byte blocks split into quants and widened scales). The
 * kernels have no decoder for the other ggml formats, so those are converted once, at load:
 * quantized ones (Q4_0, Q5_0, Q4_K, Q6_K, ...) are dequantized and re-quantized to Q8_0 exactly
 * as ggml's {@code quantize_row_q8_0_ref} does, and BF16 is widened to F32 (exact). Every
 * conversion is recorded in a {@link Conversions} so the user is told what the device computes
 * with.
 */
final class DeviceMatrices {

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int QK = 32;
    private static final int Q8_BLOCK_BYTES = 34;

    private DeviceMatrices() {
    }

    /** The format changes made while loading one file, by "FROM -> TO". */
    static final class Conversions {
        private final Map<String, Integer> counts = new TreeMap<>();

        void add(GGMLType from, String to) {
            counts.merge(from + " -> " + to, 1, Integer::sum);
        }

        boolean isEmpty() {
            return counts.isEmpty();
        }

        /** E.g. "15 x Q4_0 -> Q8_0, 1 x Q4_K -> Q8_0"; empty when nothing was converted. */
        @Override
        public String toString() {
            return counts.entrySet().stream().map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining(", "));
        }
    }

    static DeviceMatrix of(WeightMatrix m, Conversions conversions) {
        GGMLType type = m.type();
        return switch (type) {
            case F32 -> f32(m);
            case F16 -> f16(m);
            case Q8_0 -> q8(m);
            default -> {
                if (type.blockSize > 1 && m.cols() % QK == 0) {
                    conversions.add(type, "Q8_0");
                    yield requantized(m);
                }
                conversions.add(type, "F32");
                yield dequantized(m);
            }
        };
    }

    /** A float vector (norm weight, bias, embedding table of the ViT) as a device array. */
    static FloatArray vector(float[] values) {
        return FloatArray.fromArray(values);
    }

    private static int elements(WeightMatrix m) {
        return Math.multiplyExact(m.rows(), m.cols());
    }

    private static DeviceMatrix.F32 f32(WeightMatrix m) {
        int n = elements(m);
        FloatArray values = new FloatArray(n);
        MemorySegment.copy(m.data(), F32_LE, 0, values.getSegment(), ValueLayout.JAVA_FLOAT, 0, n);
        return new DeviceMatrix.F32(values, m.rows(), m.cols());
    }

    private static DeviceMatrix.F16 f16(WeightMatrix m) {
        int n = elements(m);
        ShortArray bits = new ShortArray(n);
        MemorySegment.copy(m.data(), I16_LE, 0, bits.getSegment(), ValueLayout.JAVA_SHORT, 0, n);
        return new DeviceMatrix.F16(bits, m.rows(), m.cols());
    }

    /** ggml block {fp16 d; int8 qs[32]} -> quants[r*cols + c] and scales[r*cols/32 + b] = (float) d. */
    private static DeviceMatrix.Q8 q8(WeightMatrix m) {
        int cols = m.cols();
        int blocksPerRow = cols / QK;
        ByteArray quants = new ByteArray(elements(m));
        FloatArray scales = new FloatArray(Math.multiplyExact(m.rows(), blocksPerRow));
        MemorySegment src = m.data();
        MemorySegment dst = quants.getSegment();
        Parallel.forRange(m.rows(), 64, (start, end) -> {
            for (int r = start; r < end; r++) {
                for (int b = 0; b < blocksPerRow; b++) {
                    long in = r * m.rowBytes() + (long) b * Q8_BLOCK_BYTES;
                    int block = r * blocksPerRow + b;
                    scales.set(block, Float.float16ToFloat(src.get(I16_LE, in)));
                    MemorySegment.copy(src, in + 2, dst, (long) block * QK, QK);
                }
            }
        });
        return new DeviceMatrix.Q8(quants, scales, m.rows(), cols);
    }

    /** Any supported format dequantized to float, then quantized to Q8_0 as ggml's quantize_row_q8_0_ref. */
    static DeviceMatrix.Q8 requantized(WeightMatrix m) {
        int cols = m.cols();
        int blocksPerRow = cols / QK;
        ByteArray quants = new ByteArray(elements(m));
        FloatArray scales = new FloatArray(Math.multiplyExact(m.rows(), blocksPerRow));
        Parallel.forRange(m.rows(), 16, (start, end) -> {
            float[] row = new float[cols];
            for (int r = start; r < end; r++) {
                m.dequantizeRow(r, row, 0);
                for (int b = 0; b < blocksPerRow; b++) {
                    int block = r * blocksPerRow + b;
                    float amax = 0f;
                    for (int j = 0; j < QK; j++) {
                        amax = Math.max(amax, Math.abs(row[b * QK + j]));
                    }
                    float d = amax / 127f;
                    float id = d != 0f ? 1f / d : 0f;
                    // the block stores d as fp16, but the quants are computed with the unrounded d, as in ggml
                    scales.set(block, Float.float16ToFloat(Float.floatToFloat16(d)));
                    for (int j = 0; j < QK; j++) {
                        quants.set(block * QK + j, (byte) roundHalfAway(row[b * QK + j] * id));
                    }
                }
            }
        });
        return new DeviceMatrix.Q8(quants, scales, m.rows(), cols);
    }

    /** C's roundf: halves away from zero (Math.round rounds -2.5 to -2). Exact in double for any float. */
    static int roundHalfAway(float x) {
        double r = Math.floor(Math.abs((double) x) + 0.5);
        return (int) (x < 0 ? -r : r);
    }

    private static DeviceMatrix.F32 dequantized(WeightMatrix m) {
        FloatArray values = new FloatArray(elements(m));
        int cols = m.cols();
        Parallel.forRange(m.rows(), 16, (start, end) -> {
            float[] row = new float[cols];
            for (int r = start; r < end; r++) {
                m.dequantizeRow(r, row, 0);
                MemorySegment.copy(row, 0, values.getSegment(), ValueLayout.JAVA_FLOAT, (long) r * cols * Float.BYTES, cols);
            }
        });
        return new DeviceMatrix.F32(values, m.rows(), cols);
    }
}
