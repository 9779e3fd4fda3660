package io.github.tornadollava.bench.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import io.github.tornadollava.kernels.cpu.WeightMatrix;
import uk.ac.manchester.tornado.api.types.HalfFloat;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * The device layouts of a GGUF weight matrix, copied from the very bytes the CPU kernel reads, so
 * both sides of a comparison compute with identical weights: F32 as floats, F16 as raw half bits,
 * Q8_0's 34-byte blocks split into int8 quants and widened fp16 scales (the layout the kernels
 * document in their package).
 */
record DeviceWeights(FloatArray f32, ShortArray f16, ByteArray quants, FloatArray scales) {

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int QK = 32;
    private static final int Q8_BLOCK_BYTES = 34;

    static DeviceWeights of(WeightMatrix m) {
        MemorySegment data = m.data();
        int n = Math.multiplyExact(m.rows(), m.cols());
        return switch (m.type()) {
            case F32 -> {
                FloatArray a = new FloatArray(n);
                for (int i = 0; i < n; i++) {
                    a.set(i, data.get(F32_LE, 4L * i));
                }
                yield new DeviceWeights(a, null, null, null);
            }
            case F16 -> {
                ShortArray a = new ShortArray(n);
                for (int i = 0; i < n; i++) {
                    a.set(i, data.get(I16_LE, 2L * i));
                }
                yield new DeviceWeights(null, a, null, null);
            }
            case Q8_0 -> {
                ByteArray quants = new ByteArray(n);
                FloatArray scales = new FloatArray(n / QK);
                for (int b = 0; b < n / QK; b++) {
                    long at = (long) b * Q8_BLOCK_BYTES;
                    scales.set(b, Float.float16ToFloat(data.get(I16_LE, at)));
                    for (int i = 0; i < QK; i++) {
                        quants.set(b * QK + i, data.get(ValueLayout.JAVA_BYTE, at + 2 + i));
                    }
                }
                yield new DeviceWeights(null, null, quants, scales);
            }
            default -> throw new IllegalArgumentException(m.name() + ": the TornadoVM kernels take F32, F16 or Q8_0, not " + m.type());
        };
    }

    /** The half bits as a native {@code HalfFloatArray}, for the PTX-only {@code matVecHalf}. */
    HalfFloatArray half() {
        HalfFloatArray a = new HalfFloatArray(f16.getSize());
        for (int i = 0; i < f16.getSize(); i++) {
            a.set(i, new HalfFloat(f16.get(i)));
        }
        return a;
    }
}
