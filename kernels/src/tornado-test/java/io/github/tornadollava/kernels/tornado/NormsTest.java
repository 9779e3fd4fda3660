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

/** Row norms and softmax; 5 rows of 300 values on 64 threads (several strides, ragged tail). */
class NormsTest {

    private static final int ROWS = 5;
    private static final int DIM = 300;
    private static final int LOCAL = 64;

    @Test
    void rmsNorm() {
        Random random = new Random(30);
        float[] x = random(random, ROWS * DIM, 4f);
        float[] w = random(random, DIM, 1f);
        FloatArray xa = floats(x);
        FloatArray wa = floats(w);
        FloatArray out = new FloatArray(ROWS * DIM);
        TaskGraph graph = new TaskGraph("rms") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, wa) //
                .task("t", Norms::rmsNorm, new KernelContext(), xa, wa, out, DIM, 1e-5f) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        execute(graph, "rms", Grids.perRow(ROWS, LOCAL));
        double[] expected = new double[ROWS * DIM];
        for (int r = 0; r < ROWS; r++) {
            System.arraycopy(DeviceTests.rmsNorm(x, r * DIM, w, DIM, 1e-5), 0, expected, r * DIM, DIM);
        }
        assertClose(expected, out, 1e-5, 1e-5);
    }

    @Test
    void layerNorm() {
        Random random = new Random(31);
        float[] x = random(random, ROWS * DIM, 4f);
        for (int i = 0; i < x.length; i++) {
            x[i] += 20f; // a large mean, where E[x^2] - E[x]^2 would lose digits
        }
        float[] w = random(random, DIM, 1f);
        float[] b = random(random, DIM, 1f);
        FloatArray xa = floats(x);
        FloatArray wa = floats(w);
        FloatArray ba = floats(b);
        FloatArray out = new FloatArray(ROWS * DIM);
        TaskGraph graph = new TaskGraph("ln") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, wa, ba) //
                .task("t", Norms::layerNorm, new KernelContext(), xa, wa, ba, out, DIM, 1e-5f) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        execute(graph, "ln", Grids.perRow(ROWS, LOCAL));
        double[] expected = new double[ROWS * DIM];
        for (int r = 0; r < ROWS; r++) {
            double mean = 0;
            for (int c = 0; c < DIM; c++) {
                mean += x[r * DIM + c];
            }
            mean /= DIM;
            double var = 0;
            for (int c = 0; c < DIM; c++) {
                double d = x[r * DIM + c] - mean;
                var += d * d;
            }
            var /= DIM;
            for (int c = 0; c < DIM; c++) {
                expected[r * DIM + c] = (x[r * DIM + c] - mean) / Math.sqrt(var + 1e-5) * w[c] + b[c];
            }
        }
        assertClose(expected, out, 2e-5, 2e-5);
    }

    @Test
    void softmax() {
        Random random = new Random(32);
        float[] x = random(random, ROWS * DIM, 10f);
        FloatArray xa = floats(x);
        TaskGraph graph = new TaskGraph("sm") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa) //
                .task("t", Softmax::softmaxRows, new KernelContext(), xa, DIM) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, xa);
        execute(graph, "sm", Grids.perRow(ROWS, LOCAL));
        double[] expected = new double[ROWS * DIM];
        for (int r = 0; r < ROWS; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < DIM; c++) {
                max = Math.max(max, x[r * DIM + c]);
            }
            double sum = 0;
            for (int c = 0; c < DIM; c++) {
                sum += Math.exp(x[r * DIM + c] - max);
            }
            for (int c = 0; c < DIM; c++) {
                expected[r * DIM + c] = Math.exp(x[r * DIM + c] - max) / sum;
            }
        }
        assertClose(expected, xa, 1e-6, 1e-5);
    }
}
