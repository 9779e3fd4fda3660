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

    /** Rows of k and v in the q/k/v tests: fewer than q's, as with grouped-query attention. */
    private static final int KV_ROWS = 13;
    /** Work-groups beyond the last q/k/v row, as a rounded-up grid would launch; they must write nothing. */
    private static final int SPARE_GROUPS = 3;

    private static double[] matVec(float[] w, double[] xn) {
        return matVec(w, xn, ROWS);
    }

    private static double[] matVec(float[] w, double[] xn, int rows) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
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

    /** Runs a q/k/v graph whose outputs start as NaN, so that a row the kernel skips fails the check. */
    private static void executeQkv(TaskGraph graph, String name) {
        execute(graph, name, Grids.perRow(ROWS + 2 * KV_ROWS + SPARE_GROUPS, LOCAL));
    }

    private static FloatArray nans(int n) {
        FloatArray a = new FloatArray(n);
        a.init(Float.NaN);
        return a;
    }

    @Test
    void rmsNormQkvF32() {
        Random random = new Random(16);
        float[] x = random(random, COLS, 3f);
        float[] nw = random(random, COLS, 1f);
        float[] wq = random(random, ROWS * COLS, 1f);
        float[] wk = random(random, KV_ROWS * COLS, 1f);
        float[] wv = random(random, KV_ROWS * COLS, 1f);
        FloatArray xa = floats(x);
        FloatArray nwa = floats(nw);
        FloatArray wqa = floats(wq);
        FloatArray wka = floats(wk);
        FloatArray wva = floats(wv);
        FloatArray q = nans(ROWS);
        FloatArray k = nans(KV_ROWS);
        FloatArray v = nans(KV_ROWS);
        TaskGraph graph = new TaskGraph("qkvF32") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, nwa, wqa, wka, wva, q, k, v) //
                .task("t", FusedMatVec::rmsNormQkvF32, new KernelContext(), xa, nwa, wqa, wka, wva, q, k, v, ROWS, KV_ROWS, COLS, EPS) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, q, k, v);
        executeQkv(graph, "qkvF32");
        double[] xn = normalized(x, nw);
        assertClose(matVec(wq, xn), q, 1e-4, 1e-4);
        assertClose(matVec(wk, xn, KV_ROWS), k, 1e-4, 1e-4);
        assertClose(matVec(wv, xn, KV_ROWS), v, 1e-4, 1e-4);
    }

    @Test
    void rmsNormQkvF16() {
        Random random = new Random(17);
        float[] x = random(random, COLS, 3f);
        float[] nw = random(random, COLS, 1f);
        float[] wq = random(random, ROWS * COLS, 1f);
        float[] wk = random(random, KV_ROWS * COLS, 1f);
        float[] wv = random(random, KV_ROWS * COLS, 1f);
        ShortArray wqBits = DeviceTests.halfBits(wq);
        ShortArray wkBits = DeviceTests.halfBits(wk);
        ShortArray wvBits = DeviceTests.halfBits(wv);
        FloatArray xa = floats(x);
        FloatArray nwa = floats(nw);
        FloatArray q = nans(ROWS);
        FloatArray k = nans(KV_ROWS);
        FloatArray v = nans(KV_ROWS);
        TaskGraph graph = new TaskGraph("qkvF16") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, nwa, wqBits, wkBits, wvBits, q, k, v) //
                .task("t", FusedMatVec::rmsNormQkvF16, new KernelContext(), xa, nwa, wqBits, wkBits, wvBits, q, k, v, ROWS, KV_ROWS, COLS, EPS) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, q, k, v);
        executeQkv(graph, "qkvF16");
        double[] xn = normalized(x, nw);
        assertClose(matVec(wq, xn), q, 1e-4, 1e-4);
        assertClose(matVec(wk, xn, KV_ROWS), k, 1e-4, 1e-4);
        assertClose(matVec(wv, xn, KV_ROWS), v, 1e-4, 1e-4);
    }

    @Test
    void rmsNormQkvQ8() {
        Random random = new Random(18);
        float[] x = random(random, COLS, 3f);
        float[] nw = random(random, COLS, 1f);
        DeviceTests.Q8 wq = DeviceTests.quantizeQ8(random(random, ROWS * COLS, 1f));
        DeviceTests.Q8 wk = DeviceTests.quantizeQ8(random(random, KV_ROWS * COLS, 1f));
        DeviceTests.Q8 wv = DeviceTests.quantizeQ8(random(random, KV_ROWS * COLS, 1f));
        FloatArray xa = floats(x);
        FloatArray nwa = floats(nw);
        FloatArray q = nans(ROWS);
        FloatArray k = nans(KV_ROWS);
        FloatArray v = nans(KV_ROWS);
        TaskGraph graph = new TaskGraph("qkvQ8") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, nwa, wq.quants(), wq.scales(), wk.quants(), wk.scales(), wv.quants(), wv.scales(), q, k, v) //
                .task("t", FusedMatVec::rmsNormQkvQ8, new KernelContext(), xa, nwa, wq.quants(), wq.scales(), wk.quants(), wk.scales(), wv.quants(), wv.scales(), q, k, v,
                        ROWS, KV_ROWS, COLS, EPS) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, q, k, v);
        executeQkv(graph, "qkvQ8");
        double[] xn = normalized(x, nw);
        assertClose(matVec(wq.dequantized(), xn), q, 1e-4, 1e-4);
        assertClose(matVec(wk.dequantized(), xn, KV_ROWS), k, 1e-4, 1e-4);
        assertClose(matVec(wv.dequantized(), xn, KV_ROWS), v, 1e-4, 1e-4);
    }
}
