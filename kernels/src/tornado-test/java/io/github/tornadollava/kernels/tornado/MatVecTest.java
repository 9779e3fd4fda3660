package io.github.tornadollava.kernels.tornado;

import static io.github.tornadollava.kernels.tornado.DeviceTests.assertClose;
import static io.github.tornadollava.kernels.tornado.DeviceTests.execute;
import static io.github.tornadollava.kernels.tornado.DeviceTests.floats;
import static io.github.tornadollava.kernels.tornado.DeviceTests.random;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;
import uk.ac.manchester.tornado.api.types.HalfFloat;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

class MatVecTest {

    // 70 rows: not a multiple of anything; 320 columns: ten Q8 blocks, more than one stride of 64 threads
    private static final int ROWS = 70;
    private static final int COLS = 320;
    private static final int LOCAL = 64;

    @Test
    void f32() {
        Random random = new Random(1);
        float[] w = random(random, ROWS * COLS, 1f);
        float[] x = random(random, COLS, 1f);
        FloatArray y = new FloatArray(ROWS);
        FloatArray wa = floats(w);
        FloatArray xa = floats(x);
        TaskGraph graph = new TaskGraph("mvF32") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, wa, xa) //
                .task("t", MatVec::matVecF32, new KernelContext(), wa, xa, y, ROWS, COLS, 0) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "mvF32", Grids.perRow(ROWS, LOCAL));
        assertClose(DeviceTests.matVec(w, x, ROWS, COLS), y, 1e-4, 1e-4);
    }

    @Test
    void f16Accumulate() {
        Random random = new Random(2);
        float[] w = random(random, ROWS * COLS, 1f);
        ShortArray bits = DeviceTests.halfBits(w);
        float[] x = random(random, COLS, 1f);
        float[] y0 = random(random, ROWS, 1f);
        FloatArray xa = floats(x);
        FloatArray y = floats(y0);
        TaskGraph graph = new TaskGraph("mvF16") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, bits, xa, y) //
                .task("t", MatVec::matVecF16, new KernelContext(), bits, xa, y, ROWS, COLS, 1) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "mvF16", Grids.perRow(ROWS, LOCAL));
        double[] expected = DeviceTests.matVec(w, x, ROWS, COLS);
        for (int r = 0; r < ROWS; r++) {
            expected[r] += y0[r];
        }
        assertClose(expected, y, 1e-4, 1e-4);
    }

    @Test
    void q8() {
        Random random = new Random(3);
        DeviceTests.Q8 q = DeviceTests.quantizeQ8(random(random, ROWS * COLS, 1f));
        float[] x = random(random, COLS, 1f);
        FloatArray xa = floats(x);
        FloatArray y = new FloatArray(ROWS);
        TaskGraph graph = new TaskGraph("mvQ8") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, q.quants(), q.scales(), xa) //
                .task("t", MatVec::matVecQ8, new KernelContext(), q.quants(), q.scales(), xa, y, ROWS, COLS, 0) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "mvQ8", Grids.perRow(ROWS, LOCAL));
        assertClose(DeviceTests.matVec(q.dequantized(), x, ROWS, COLS), y, 1e-4, 1e-4);
    }

    /** Native half needs cl_khr_fp16 or PTX: skipped on PoCL. */
    @Test
    void nativeHalf() {
        assumeTrue(Fp16Support.nativeHalf(TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice()), "device has no native half support");
        Random random = new Random(4);
        float[] w = random(random, ROWS * COLS, 1f);
        DeviceTests.halfBits(w);
        HalfFloatArray wh = new HalfFloatArray(ROWS * COLS);
        for (int i = 0; i < w.length; i++) {
            wh.set(i, new HalfFloat(w[i]));
        }
        float[] x = random(random, COLS, 1f);
        FloatArray xa = floats(x);
        FloatArray y = new FloatArray(ROWS);
        TaskGraph graph = new TaskGraph("mvHalf") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, wh, xa) //
                .task("t", MatVec::matVecHalf, new KernelContext(), wh, xa, y, ROWS, COLS, 0) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "mvHalf", Grids.perRow(ROWS, LOCAL));
        assertClose(DeviceTests.matVec(w, x, ROWS, COLS), y, 1e-4, 1e-4);
    }

    /** The integer decode is exact for every finite half (checked on the host, all 63488 patterns). */
    @Test
    void fp16DecodeIsExact() {
        for (int b = 0; b < 65536; b++) {
            short bits = (short) b;
            if (((b >> 10) & 0x1F) == 0x1F) {
                continue;
            }
            float expected = Float.float16ToFloat(bits);
            float actual = Fp16.decode(bits);
            if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) {
                throw new AssertionError("bits 0x" + Integer.toHexString(b) + ": " + actual + " != " + expected);
            }
        }
    }
}
