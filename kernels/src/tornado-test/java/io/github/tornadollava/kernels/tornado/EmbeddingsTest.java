package io.github.tornadollava.kernels.tornado;

import static io.github.tornadollava.kernels.tornado.DeviceTests.assertClose;
import static io.github.tornadollava.kernels.tornado.DeviceTests.execute;
import static io.github.tornadollava.kernels.tornado.DeviceTests.floats;
import static io.github.tornadollava.kernels.tornado.DeviceTests.random;

import java.util.Random;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

class EmbeddingsTest {

    private static final int VOCAB = 50;
    private static final int DIM = 64;
    private static final int[] TOKENS = {3, 17, 0, 49, 17};

    private static double[] lookup(float[] table) {
        double[] expected = new double[TOKENS.length * DIM];
        for (int t = 0; t < TOKENS.length; t++) {
            for (int d = 0; d < DIM; d++) {
                expected[t * DIM + d] = table[TOKENS[t] * DIM + d];
            }
        }
        return expected;
    }

    @Test
    void tokenEmbeddingsAllFormats() {
        Random random = new Random(50);
        float[] f32 = random(random, VOCAB * DIM, 1f);
        float[] f16 = random(random, VOCAB * DIM, 1f);
        ShortArray f16Bits = DeviceTests.halfBits(f16);
        DeviceTests.Q8 q8 = DeviceTests.quantizeQ8(random(random, VOCAB * DIM, 1f));
        FloatArray f32Table = floats(f32);
        IntArray tokens = IntArray.fromArray(TOKENS);
        int n = TOKENS.length;
        FloatArray out32 = new FloatArray(n * DIM);
        FloatArray out16 = new FloatArray(n * DIM);
        FloatArray out8 = new FloatArray(n * DIM);
        KernelContext ctx = new KernelContext();
        TaskGraph graph = new TaskGraph("emb") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, f32Table, f16Bits, q8.quants(), q8.scales(), tokens) //
                .task("f32", Embeddings::embedF32, ctx, f32Table, tokens, out32, n, DIM) //
                .task("f16", Embeddings::embedF16, ctx, f16Bits, tokens, out16, n, DIM) //
                .task("q8", Embeddings::embedQ8, ctx, q8.quants(), q8.scales(), tokens, out8, n, DIM) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out32, out16, out8);
        WorkerGrid grid = Grids.elementwise(n * DIM, 64);
        execute(graph, "emb", new String[] {"f32", "f16", "q8"}, new WorkerGrid[] {grid, grid, grid});
        assertClose(lookup(f32), out32, 0, 0);
        assertClose(lookup(f16), out16, 0, 0);
        assertClose(lookup(q8.dequantized()), out8, 1e-7, 1e-7);
    }

    /**
     * Vision input end to end: im2col, the patch "convolution" as an F16 mat-mul, then class
     * token and position embeddings, against a direct convolution.
     */
    @Test
    void patchEmbeddingWithClassToken() {
        int channels = 3;
        int size = 28;
        int patch = 14;
        int grid = size / patch;
        int nPatches = grid * grid;
        int patchLength = channels * patch * patch;
        Random random = new Random(51);
        float[] image = random(random, channels * size * size, 1f);
        float[] conv = random(random, DIM * patchLength, 0.1f);
        ShortArray convBits = DeviceTests.halfBits(conv);
        float[] cls = random(random, DIM, 1f);
        float[] pos = random(random, (nPatches + 1) * DIM, 1f);

        FloatArray imageA = floats(image);
        FloatArray clsA = floats(cls);
        FloatArray posA = floats(pos);
        FloatArray patches = new FloatArray(nPatches * patchLength);
        FloatArray patchEmb = new FloatArray(nPatches * DIM);
        FloatArray noBias = new FloatArray(1);
        FloatArray out = new FloatArray((nPatches + 1) * DIM);
        KernelContext ctx = new KernelContext();
        TaskGraph graph = new TaskGraph("patch") //
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, imageA, convBits, clsA, posA, noBias) //
                .task("im2col", Embeddings::im2col, ctx, imageA, patches, channels, size, patch) //
                .task("conv", MatMul::matMulF16, ctx, patches, convBits, noBias, patchEmb, nPatches, DIM, patchLength, 0, 0) //
                .task("cls", Embeddings::prependClsAddPosition, ctx, patchEmb, clsA, posA, out, nPatches, DIM) //
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        execute(graph, "patch", new String[] {"im2col", "conv", "cls"},
                new WorkerGrid[] {Grids.elementwise(nPatches * patchLength, 64), Grids.matMul(nPatches, DIM), Grids.elementwise((nPatches + 1) * DIM, 64)});

        double[] expected = new double[(nPatches + 1) * DIM];
        for (int d = 0; d < DIM; d++) {
            expected[d] = cls[d] + pos[d];
        }
        for (int p = 0; p < nPatches; p++) {
            int py = p / grid;
            int px = p % grid;
            for (int o = 0; o < DIM; o++) {
                double s = 0;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < patch; ky++) {
                        for (int kx = 0; kx < patch; kx++) {
                            s += (double) conv[((o * channels + c) * patch + ky) * patch + kx] * image[(c * size + py * patch + ky) * size + px * patch + kx];
                        }
                    }
                }
                expected[(p + 1) * DIM + o] = s + pos[(p + 1) * DIM + o];
            }
        }
        assertClose(expected, out, 1e-5, 1e-5);
    }
}
