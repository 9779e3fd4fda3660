package io.github.tornadollava.tornado;

import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * A weight matrix ({@code rows x cols}, row-major, {@code y = W x}) in one of the three layouts
 * the TornadoVM kernels read; see {@link DeviceMatrices} for how GGUF tensors become one.
 */
sealed interface DeviceMatrix {

    int rows();

    int cols();

    /** The TornadoVM arrays holding the matrix, for the task graph's transfer declarations. */
    Object[] arrays();

    /** Device bytes of the matrix. */
    default long bytes() {
        long n = 0;
        for (Object a : arrays()) {
            n += switch (a) {
                case FloatArray f -> f.getNumBytesOfSegment();
                case ShortArray s -> s.getNumBytesOfSegment();
                case ByteArray b -> b.getNumBytesOfSegment();
                default -> throw new IllegalStateException("unexpected array " + a);
            };
        }
        return n;
    }

    /** Float32 values. */
    record F32(FloatArray values, int rows, int cols) implements DeviceMatrix {
        @Override
        public Object[] arrays() {
            return new Object[] {values};
        }
    }

    /** Raw IEEE half bits, widened inside the kernels (PoCL's CPU device has no fp16 type). */
    record F16(ShortArray bits, int rows, int cols) implements DeviceMatrix {
        @Override
        public Object[] arrays() {
            return new Object[] {bits};
        }
    }

    /** ggml Q8_0 split in two arrays: int8 quants, and one float scale per 32 consecutive quants of a row. */
    record Q8(ByteArray quants, FloatArray scales, int rows, int cols) implements DeviceMatrix {
        @Override
        public Object[] arrays() {
            return new Object[] {quants, scales};
        }
    }
}
