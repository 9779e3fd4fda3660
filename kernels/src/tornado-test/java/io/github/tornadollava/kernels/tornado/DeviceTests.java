package io.github.tornadollava.kernels.tornado;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/** Shared helpers: random data, host-side weight encodings, plan execution and comparison. */
final class DeviceTests {

    private DeviceTests() {
    }

    /** Runs a graph whose tasks are named {@code graphName.taskName[i]} on the given grids. */
    static void execute(TaskGraph graph, String graphName, String[] taskNames, WorkerGrid[] grids) {
        GridScheduler scheduler = new GridScheduler();
        for (int i = 0; i < taskNames.length; i++) {
            scheduler.addWorkerGrid(graphName + "." + taskNames[i], grids[i]);
        }
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.withGridScheduler(scheduler).execute();
        } catch (TornadoExecutionPlanException e) {
            throw new AssertionError(e);
        }
    }

    static void execute(TaskGraph graph, String graphName, WorkerGrid grid) {
        execute(graph, graphName, new String[] {"t"}, new WorkerGrid[] {grid});
    }

    static float[] random(Random random, int n, float scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (random.nextFloat() * 2 - 1) * scale;
        }
        return values;
    }

    static FloatArray floats(float[] values) {
        return FloatArray.fromArray(values);
    }

    /** Raw half bits of {@code values}, and {@code values} replaced by what they round to. */
    static ShortArray halfBits(float[] values) {
        ShortArray bits = new ShortArray(values.length);
        for (int i = 0; i < values.length; i++) {
            short h = Float.floatToFloat16(values[i]);
            bits.set(i, h);
            values[i] = Float.float16ToFloat(h);
        }
        return bits;
    }

    /** ggml Q8_0 of a row-major matrix: quants, per-32 scales, and the dequantised values. */
    record Q8(ByteArray quants, FloatArray scales, float[] dequantized) {
    }

    static Q8 quantizeQ8(float[] values) {
        int blocks = values.length / 32;
        ByteArray quants = new ByteArray(values.length);
        FloatArray scales = new FloatArray(blocks);
        float[] dequantized = new float[values.length];
        for (int b = 0; b < blocks; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(values[b * 32 + i]));
            }
            // ggml stores the scale as fp16; the kernels take it widened to float
            float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            float id = d != 0 ? 1f / d : 0f;
            scales.set(b, d);
            for (int i = 0; i < 32; i++) {
                int q = Math.round(values[b * 32 + i] * id);
                q = Math.max(-127, Math.min(127, q));
                quants.set(b * 32 + i, (byte) q);
                dequantized[b * 32 + i] = q * d;
            }
        }
        return new Q8(quants, scales, dequantized);
    }

    /** {@code |actual - expected| <= atol + rtol * |expected|} element-wise. */
    static void assertClose(double[] expected, FloatArray actual, double atol, double rtol) {
        assertClose(expected, actual, 0, atol, rtol);
    }

    static void assertClose(double[] expected, FloatArray actual, int actualOffset, double atol, double rtol) {
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < expected.length; i++) {
            double a = actual.get(actualOffset + i);
            double excess = Math.abs(a - expected[i]) - (atol + rtol * Math.abs(expected[i]));
            if (!(excess <= 0) && (worstIndex < 0 || excess > worst || Double.isNaN(a))) {
                worst = excess;
                worstIndex = i;
            }
        }
        if (worstIndex >= 0) {
            fail("element " + worstIndex + ": expected " + expected[worstIndex] + " but was " + actual.get(actualOffset + worstIndex) + " (atol " + atol + ", rtol " + rtol + ")");
        }
    }

    /** Reference {@code y = W x} in double. */
    static double[] matVec(float[] w, float[] x, int rows, int cols) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += (double) w[r * cols + c] * x[c];
            }
            y[r] = s;
        }
        return y;
    }

    /** Reference RMSNorm of one row in double. */
    static double[] rmsNorm(float[] x, int offset, float[] weight, int dim, double eps) {
        double ss = 0;
        for (int c = 0; c < dim; c++) {
            ss += (double) x[offset + c] * x[offset + c];
        }
        double inv = 1 / Math.sqrt(ss / dim + eps);
        double[] out = new double[dim];
        for (int c = 0; c < dim; c++) {
            out[c] = x[offset + c] * inv * weight[c];
        }
        return out;
    }

    static double silu(double v) {
        return v / (1 + Math.exp(-v));
    }
}
