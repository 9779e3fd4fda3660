package io.github.tornadollava.tornado;

import java.util.Locale;

import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.TornadoProfilerResult;

/**
 * Sums TornadoVM's profiler figures over graph executions, for {@code --profile}: time in
 * kernels versus time moving data, and the bytes moved. TornadoVM reports nanoseconds.
 */
final class DeviceProfile {

    private long executions;
    private long kernelNanos;
    private long transferNanos;
    private long totalNanos;
    private long compileNanos;
    private long bytesIn;
    private long bytesOut;

    synchronized void add(TornadoExecutionResult result) {
        TornadoProfilerResult p = result.getProfilerResult();
        executions++;
        kernelNanos += Math.max(0, p.getDeviceKernelTime());
        transferNanos += Math.max(0, p.getDataTransfersTime());
        totalNanos += Math.max(0, p.getTotalTime());
        compileNanos += Math.max(0, p.getCompileTime());
        bytesIn += Math.max(0, p.getTotalBytesCopyIn());
        bytesOut += Math.max(0, p.getTotalBytesCopyOut());
    }

    /** Bytes copied from the device to the host since the last {@link #drain}. */
    synchronized long bytesOut() {
        return bytesOut;
    }

    /** Graph executions since the last {@link #drain}. */
    synchronized long executions() {
        return executions;
    }

    /** The sums since the last call, on one line; the sums restart from zero. */
    synchronized String drain() {
        if (executions == 0) {
            return "TornadoVM profiler: no graph executed";
        }
        String s = String.format(Locale.ROOT,
                "TornadoVM profiler: kernels %.1f ms, transfers %.1f ms (%.2f MB in, %.2f MB out), JIT %.1f ms, total %.1f ms over %d graph runs",
                kernelNanos / 1e6, transferNanos / 1e6, bytesIn / 1e6, bytesOut / 1e6, compileNanos / 1e6, totalNanos / 1e6, executions);
        executions = 0;
        kernelNanos = 0;
        transferNanos = 0;
        totalNanos = 0;
        compileNanos = 0;
        bytesIn = 0;
        bytesOut = 0;
        return s;
    }
}
