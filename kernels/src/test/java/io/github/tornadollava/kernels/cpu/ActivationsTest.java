package io.github.tornadollava.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The vectorized quick-GELU, exact GELU and SiLU gate against their formulas in double. */
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

    @Test
    void geluMatchesTheFormula() {
        Random rnd = new Random(7);
        for (int n : new int[] {1, 7, 8, 9, 31, 4096}) {
            float[] x = new float[n + 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * 4);
            }
            x[3] = -9.5f; // deep in the tail, where 1 + erf would cancel
            float[] out = x.clone();
            Activations.gelu(out, 3, n);
            for (int i = 0; i < n; i++) {
                double v = x[3 + i];
                double expected = 0.5 * v * erfc(-v / Math.sqrt(2));
                assertEquals(expected, out[3 + i], 2e-7 * Math.max(1, Math.abs(expected)), "n=" + n + " i=" + i + " x=" + v);
                if (v < -4 && Math.abs(expected) > Float.MIN_NORMAL) {
                    // relative, too, where GELU is tiny (torch's float 1 + erf cancels to 0 there);
                    // -z^2 rounded to float bounds it: for z^2 ~ 70, a few ulp of 70 in the exponent
                    assertEquals(expected, out[3 + i], 3e-5 * Math.abs(expected), "relative, x=" + v);
                }
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(x[i], out[i], "before the offset");
            }
        }
    }

    /**
     * erfc to double precision: 1 - erf by the all-positive series
     * erf(z) = 2/sqrt(pi) e^(-z^2) sum_n 2^n z^(2n+1) / (1*3*...*(2n+1)) below 2.5 (erfc(2.5) = 4e-4,
     * so the difference loses only a few of double's digits), the continued fraction
     * erfc(z) = e^(-z^2) / (sqrt(pi) (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...))))) above.
     */
    private static double erfc(double x) {
        double z = Math.abs(x);
        double r;
        if (z < 2.5) {
            double term = z;
            double sum = z;
            for (int n = 1; n < 400 && term >= 1e-18 * sum; n++) {
                term *= 2.0 * z * z / (2 * n + 1);
                sum += term;
            }
            r = 1 - 2 / Math.sqrt(Math.PI) * Math.exp(-z * z) * sum;
        } else {
            double f = z;
            double c = z;
            double d = 0;
            for (int n = 1; n < 400; n++) {
                double a = n / 2.0;
                d = 1 / (z + a * d);
                c = z + a / c;
                double delta = c * d;
                f *= delta;
                if (Math.abs(delta - 1) < 1e-16) {
                    break;
                }
            }
            r = Math.exp(-z * z) / (Math.sqrt(Math.PI) * f);
        }
        return x < 0 ? 2 - r : r;
    }
}
