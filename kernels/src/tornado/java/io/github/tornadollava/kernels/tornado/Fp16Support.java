package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;

/** Host-side choice between the native-half kernels and the integer-decode ones. */
public final class Fp16Support {

    private Fp16Support() {
    }

    /**
     * Whether {@code HalfFloatArray} kernels (e.g. {@link MatVec#matVecHalf}) can run on the
     * device. PTX has native half conversions; OpenCL needs {@code cl_khr_fp16}, which this
     * check does not probe, so OpenCL devices conservatively use the {@link Fp16} decode path.
     */
    public static boolean nativeHalf(TornadoDevice device) {
        TornadoVMBackendType backend = device.getTornadoVMBackend();
        return backend == TornadoVMBackendType.PTX;
    }
}
