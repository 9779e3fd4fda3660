package io.github.tornadollava.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The vectorized quick-GELU and SiLU gate against their formulas in double. */
class ActivationsTest {

    @Test
    void quickGeluMatchesTheFormula() {
        Random rnd = new Random(5);
        // lengths around the vector width hit the scalar tail; the offset checks the indexing
        for (int n : new int[] {1, 7, 8, 9, 31, 4096}) {
            float[] x = new float[n + 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * 6);
            }
            float[] plain = x.clone();
            Activations.quickGelu(plain, 3, n);
            for (int i = 0; i < n; i++) {
                double v = x[3 + i];
                assertEquals(v / (1 + Math.exp(-1.702 * v)), plain[3 + i], 1e-6 * Math.max(1, Math.abs(v)), "n=" + n + " i=" + i);
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(x[i], plain[i], "before the offset");
            }
        }
    }

    @Test
    void siluMulMatchesTheFormula() {
        Random rnd = new Random(6);
        for (int n : new int[] {1, 7, 8, 9, 31, 5632}) {
            float[] gate = new float[n + 3];
            float[] up = new float[n + 5];
            for (int i = 0; i < gate.length; i++) {
                gate[i] = (float) (rnd.nextGaussian() * 8);
            }
            for (int i = 0; i < up.length; i++) {
                up[i] = (float) (rnd.nextGaussian() * 3);
            }
            float[] out = gate.clone();
            Activations.siluMul(out, 3, up, 5, n);
            for (int i = 0; i < n; i++) {
                double g = gate[3 + i];
                double expected = g / (1 + Math.exp(-g)) * up[5 + i];
                assertEquals(expected, out[3 + i], 1e-6 * Math.max(1, Math.abs(expected)), "n=" + n + " i=" + i);
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(gate[i], out[i], "before the offset");
            }
        }
    }
}
