package io.github.tornadollava.kernels.tornado;

import static io.github.tornadollava.kernels.tornado.DeviceTests.assertClose;
import static io.github.tornadollava.kernels.tornado.DeviceTests.execute;
import static io.github.tornadollava.kernels.tornado.DeviceTests.floats;
import static io.github.tornadollava.kernels.tornado.DeviceTests.random;

import java.util.Random;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/** Shapes straddle the 64x64 output tile and the 16-deep reduction slice on purpose. */
class MatMulTest {

    private static final int TOKENS = 70;
    private static final int ROWS = 100;

    private static double[] reference(float[] x, float[] w, float[] bias, float[] y0, int tokens, int rows, int cols) {
        double[] y = new double[tokens * rows];
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int c = 0; c < cols; c++) {
                    s += (double) x[t * cols + c] * w[r * cols + c];
                }
                if (bias != null) {
                    s += bias[r];
                }
                if (y0 != null) {
                    s += y0[t * rows + r];
                }
                y[t * rows + r] = s;
            }
        }
        return y;
    }

    @Test
    void f32WithBias() {
        int cols = 100; // not a multiple of the 16-deep slice
        Random random = new Random(20);
        float[] x = random(random, TOKENS * cols, 1f);
        float[] w = random(random, ROWS * cols, 1f);
        float[] bias = random(random, ROWS, 1f);
        FloatArray xa = floats(x);
        FloatArray wa = floats(w);
        FloatArray ba = floats(bias);
        FloatArray y = new FloatArray(TOKENS * ROWS);
        TaskGraph graph = new TaskGraph("mmF32") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, wa, ba) //
                .task("t", MatMul::matMulF32, new KernelContext(), xa, wa, ba, y, TOKENS, ROWS, cols, 1, 0) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "mmF32", Grids.matMul(TOKENS, ROWS));
        assertClose(reference(x, w, bias, null, TOKENS, ROWS, cols), y, 1e-4, 1e-4);
    }

    @Test
    void f16Accumulate() {
        int cols = 88;
        Random random = new Random(21);
        float[] x = random(random, TOKENS * cols, 1f);
        float[] w = random(random, ROWS * cols, 1f);
        ShortArray bits = DeviceTests.halfBits(w);
        float[] y0 = random(random, TOKENS * ROWS, 1f);
        FloatArray xa = floats(x);
        FloatArray noBias = new FloatArray(1);
        FloatArray y = floats(y0);
        TaskGraph graph = new TaskGraph("mmF16") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, bits, noBias, y) //
                .task("t", MatMul::matMulF16, new KernelContext(), xa, bits, noBias, y, TOKENS, ROWS, cols, 0, 1) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "mmF16", Grids.matMul(TOKENS, ROWS));
        assertClose(reference(x, w, null, y0, TOKENS, ROWS, cols), y, 1e-4, 1e-4);
    }

    @Test
    void q8WithBias() {
        int cols = 96;
        Random random = new Random(22);
        float[] x = random(random, TOKENS * cols, 1f);
        DeviceTests.Q8 q = DeviceTests.quantizeQ8(random(random, ROWS * cols, 1f));
        float[] bias = random(random, ROWS, 1f);
        FloatArray xa = floats(x);
        FloatArray ba = floats(bias);
        FloatArray y = new FloatArray(TOKENS * ROWS);
        TaskGraph graph = new TaskGraph("mmQ8") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, q.quants(), q.scales(), ba) //
                .task("t", MatMul::matMulQ8, new KernelContext(), xa, q.quants(), q.scales(), ba, y, TOKENS, ROWS, cols, 1, 0) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "mmQ8", Grids.matMul(TOKENS, ROWS));
        assertClose(reference(x, q.dequantized(), bias, null, TOKENS, ROWS, cols), y, 1e-4, 1e-4);
    }
}
