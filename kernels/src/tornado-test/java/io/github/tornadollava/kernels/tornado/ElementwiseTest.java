package io.github.tornadollava.kernels.tornado;

import static io.github.tornadollava.kernels.tornado.DeviceTests.assertClose;
import static io.github.tornadollava.kernels.tornado.DeviceTests.execute;
import static io.github.tornadollava.kernels.tornado.DeviceTests.floats;
import static io.github.tornadollava.kernels.tornado.DeviceTests.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Activations and additions: one graph running every element-wise kernel in sequence. */
class ElementwiseTest {

    private static final int N = 1000;
    private static final int ROW = 40;

    /** erf to double precision (series / continued fraction), for the references. */
    static double erf(double x) {
        double z = Math.abs(x);
        double result;
        if (z < 2.5) {
            double term = z;
            double sum = z;
            for (int n = 1; n < 200; n++) {
                term *= -z * z / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-18) {
                    break;
                }
            }
            result = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc continued fraction (Lentz), converges fast for z >= 2.5
            double tiny = 1e-300;
            double f = z;
            double c = z;
            double d = 0;
            for (int n = 1; n < 200; n++) {
                double a = n / 2.0;
                d = z + a * d;
                d = d == 0 ? tiny : 1 / d;
                c = z + a / c;
                if (c == 0) {
                    c = tiny;
                }
                double delta = c * d;
                f *= delta;
                if (Math.abs(delta - 1) < 1e-16) {
                    break;
                }
            }
            result = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -result : result;
    }

    @Test
    void erfApproximationOnHost() {
        double worst = 0;
        for (double x = -6; x <= 6; x += 1e-3) {
            worst = Math.max(worst, Math.abs(Activations.erf((float) x) - erf((float) x)));
        }
        assertTrue(worst < 2e-7, "erf error " + worst);
        double worstGelu = 0;
        for (double x = -10; x <= 10; x += 1e-3) {
            float xf = (float) x;
            double exact = 0.5 * xf * (1 + erf(xf / Math.sqrt(2)));
            worstGelu = Math.max(worstGelu, Math.abs(Activations.gelu(xf) - exact) / Math.max(1, Math.abs(exact)));
        }
        assertTrue(worstGelu < 2e-7, "gelu error " + worstGelu);
    }

    @Test
    void allElementwiseKernels() {
        Random random = new Random(40);
        float[] a = random(random, N, 6f);
        float[] b = random(random, N, 6f);
        float[] bias = random(random, ROW, 1f);
        FloatArray aa = floats(a);
        FloatArray ba = floats(b);
        FloatArray biasA = floats(bias);
        FloatArray gelu = new FloatArray(N);
        FloatArray quick = new FloatArray(N);
        FloatArray silu = new FloatArray(N);
        FloatArray siluMul = new FloatArray(N);
        FloatArray sum = new FloatArray(N);
        FloatArray acc = floats(a.clone());
        KernelContext ctx = new KernelContext();
        TaskGraph graph = new TaskGraph("ew") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, aa, ba, biasA, acc) //
                .task("gelu", Activations::geluErf, ctx, aa, gelu, N) //
                .task("quick", Activations::quickGelu, ctx, aa, quick, N) //
                .task("silu", Activations::silu, ctx, aa, silu, N) //
                .task("siluMul", Activations::siluMul, ctx, aa, ba, siluMul, N) //
                .task("add", Activations::add, ctx, aa, ba, sum, N) //
                .task("addInPlace", Activations::addInPlace, ctx, acc, ba, N) //
                .task("addBias", Activations::addBias, ctx, acc, biasA, ROW, N) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, gelu, quick, silu, siluMul, sum, acc);
        String[] names = {"gelu", "quick", "silu", "siluMul", "add", "addInPlace", "addBias"};
        WorkerGrid[] grids = new WorkerGrid[names.length];
        for (int i = 0; i < grids.length; i++) {
            grids[i] = Grids.elementwise(N, 128);
        }
        execute(graph, "ew", names, grids);

        double[] eGelu = new double[N];
        double[] eQuick = new double[N];
        double[] eSilu = new double[N];
        double[] eSiluMul = new double[N];
        double[] eSum = new double[N];
        double[] eAcc = new double[N];
        for (int i = 0; i < N; i++) {
            double x = a[i];
            eGelu[i] = 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            eQuick[i] = x / (1 + Math.exp(-1.702 * x));
            eSilu[i] = DeviceTests.silu(x);
            eSiluMul[i] = DeviceTests.silu(x) * b[i];
            eSum[i] = x + b[i];
            eAcc[i] = x + b[i] + bias[i % ROW];
        }
        assertClose(eGelu, gelu, 1e-6, 1e-6);
        assertClose(eQuick, quick, 1e-6, 1e-6);
        assertClose(eSilu, silu, 1e-6, 1e-6);
        assertClose(eSiluMul, siluMul, 1e-6, 1e-6);
        assertClose(eSum, sum, 1e-6, 1e-6);
        assertClose(eAcc, acc, 1e-6, 1e-6);
    }
}
