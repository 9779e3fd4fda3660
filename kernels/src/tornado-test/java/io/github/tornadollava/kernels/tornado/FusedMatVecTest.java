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

class FusedMatVecTest {

    private static final int ROWS = 45;
    private static final int COLS = 256;
    private static final int LOCAL = 32;
    private static final float EPS = 1e-5f;

    private static double[] normalized(float[] x, float[] nw) {
        return DeviceTests.rmsNorm(x, 0, nw, COLS, EPS);
    }

    private static double[] matVec(float[] w, double[] xn) {
        double[] y = new double[ROWS];
        for (int r = 0; r < ROWS; r++) {
            double s = 0;
            for (int c = 0; c < COLS; c++) {
                s += w[r * COLS + c] * xn[c];
            }
            y[r] = s;
        }
        return y;
    }

    private static double[] gateUp(float[] wg, float[] wu, double[] xn) {
        double[] g = matVec(wg, xn);
        double[] u = matVec(wu, xn);
        double[] y = new double[ROWS];
        for (int r = 0; r < ROWS; r++) {
            y[r] = DeviceTests.silu(g[r]) * u[r];
        }
        return y;
    }

    @Test
    void rmsNormMatVecF32() {
        Random random = new Random(10);
        float[] x = random(random, COLS, 3f);
        float[] nw = random(random, COLS, 1f);
        float[] w = random(random, ROWS * COLS, 1f);
        FloatArray xa = floats(x);
        FloatArray nwa = floats(nw);
        FloatArray wa = floats(w);
        FloatArray y = new FloatArray(ROWS);
        TaskGraph graph = new TaskGraph("rmvF32") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, nwa, wa) //
                .task("t", FusedMatVec::rmsNormMatVecF32, new KernelContext(), xa, nwa, wa, y, ROWS, COLS, EPS, 0) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "rmvF32", Grids.perRow(ROWS, LOCAL));
        assertClose(matVec(w, normalized(x, nw)), y, 1e-4, 1e-4);
    }

    @Test
    void rmsNormMatVecF16Accumulate() {
        Random random = new Random(11);
        float[] x = random(random, COLS, 3f);
        float[] nw = random(random, COLS, 1f);
        float[] w = random(random, ROWS * COLS, 1f);
        ShortArray bits = DeviceTests.halfBits(w);
        float[] y0 = random(random, ROWS, 1f);
        FloatArray xa = floats(x);
        FloatArray nwa = floats(nw);
        FloatArray y = floats(y0);
        TaskGraph graph = new TaskGraph("rmvF16") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, nwa, bits, y) //
                .task("t", FusedMatVec::rmsNormMatVecF16, new KernelContext(), xa, nwa, bits, y, ROWS, COLS, EPS, 1) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "rmvF16", Grids.perRow(ROWS, LOCAL));
        double[] expected = matVec(w, normalized(x, nw));
        for (int r = 0; r < ROWS; r++) {
            expected[r] += y0[r];
        }
        assertClose(expected, y, 1e-4, 1e-4);
    }

    @Test
    void rmsNormMatVecQ8() {
        Random random = new Random(12);
        float[] x = random(random, COLS, 3f);
        float[] nw = random(random, COLS, 1f);
        DeviceTests.Q8 q = DeviceTests.quantizeQ8(random(random, ROWS * COLS, 1f));
        FloatArray xa = floats(x);
        FloatArray nwa = floats(nw);
        FloatArray y = new FloatArray(ROWS);
        TaskGraph graph = new TaskGraph("rmvQ8") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, nwa, q.quants(), q.scales()) //
                .task("t", FusedMatVec::rmsNormMatVecQ8, new KernelContext(), xa, nwa, q.quants(), q.scales(), y, ROWS, COLS, EPS, 0) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "rmvQ8", Grids.perRow(ROWS, LOCAL));
        assertClose(matVec(q.dequantized(), normalized(x, nw)), y, 1e-4, 1e-4);
    }

    @Test
    void gateUpSiluF32() {
        Random random = new Random(13);
        float[] x = random(random, COLS, 3f);
        float[] nw = random(random, COLS, 1f);
        float[] wg = random(random, ROWS * COLS, 1f);
        float[] wu = random(random, ROWS * COLS, 1f);
        FloatArray xa = floats(x);
        FloatArray nwa = floats(nw);
        FloatArray wga = floats(wg);
        FloatArray wua = floats(wu);
        FloatArray y = new FloatArray(ROWS);
        TaskGraph graph = new TaskGraph("guF32") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, nwa, wga, wua) //
                .task("t", FusedMatVec::rmsNormGateUpSiluF32, new KernelContext(), xa, nwa, wga, wua, y, ROWS, COLS, EPS) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "guF32", Grids.perRow(ROWS, LOCAL));
        assertClose(gateUp(wg, wu, normalized(x, nw)), y, 1e-4, 1e-4);
    }

    @Test
    void gateUpSiluF16() {
        Random random = new Random(14);
        float[] x = random(random, COLS, 3f);
        float[] nw = random(random, COLS, 1f);
        float[] wg = random(random, ROWS * COLS, 1f);
        float[] wu = random(random, ROWS * COLS, 1f);
        ShortArray wgBits = DeviceTests.halfBits(wg);
        ShortArray wuBits = DeviceTests.halfBits(wu);
        FloatArray xa = floats(x);
        FloatArray nwa = floats(nw);
        FloatArray y = new FloatArray(ROWS);
        TaskGraph graph = new TaskGraph("guF16") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, nwa, wgBits, wuBits) //
                .task("t", FusedMatVec::rmsNormGateUpSiluF16, new KernelContext(), xa, nwa, wgBits, wuBits, y, ROWS, COLS, EPS) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "guF16", Grids.perRow(ROWS, LOCAL));
        assertClose(gateUp(wg, wu, normalized(x, nw)), y, 1e-4, 1e-4);
    }

    @Test
    void gateUpSiluQ8() {
        Random random = new Random(15);
        float[] x = random(random, COLS, 3f);
        float[] nw = random(random, COLS, 1f);
        DeviceTests.Q8 g = DeviceTests.quantizeQ8(random(random, ROWS * COLS, 1f));
        DeviceTests.Q8 u = DeviceTests.quantizeQ8(random(random, ROWS * COLS, 1f));
        FloatArray xa = floats(x);
        FloatArray nwa = floats(nw);
        FloatArray y = new FloatArray(ROWS);
        TaskGraph graph = new TaskGraph("guQ8") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, nwa, g.quants(), g.scales(), u.quants(), u.scales()) //
                .task("t", FusedMatVec::rmsNormGateUpSiluQ8, new KernelContext(), xa, nwa, g.quants(), g.scales(), u.quants(), u.scales(), y, ROWS, COLS, EPS) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        execute(graph, "guQ8", Grids.perRow(ROWS, LOCAL));
        assertClose(gateUp(g.dequantized(), u.dequantized(), normalized(x, nw)), y, 1e-4, 1e-4);
    }
}
