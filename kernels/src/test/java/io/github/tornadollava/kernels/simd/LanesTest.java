package io.github.tornadollava.kernels.simd;

import java.util.Random;

import org.junit.jupiter.api.Test;

import jdk.incubator.vector.FloatVector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LanesTest {

    /** Enough calls for C2 to compile the kernels mid-loop, so both the cold and the compiled code are checked. */
    private static final int ROUNDS = 30_000;

    private static float[] randomValues(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
        }
        return a;
    }

    @Test
    void arrayExpHasTheScalarBitsInEveryTier() {
        float[] a = randomValues(32 * FloatVector.SPECIES_PREFERRED.length() + 5, 3);
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.max(-120f, Math.min(95f, a[i]));
        }
        float[] out = new float[a.length];
        for (int round = 0; round < ROUNDS; round++) {
            System.arraycopy(a, 0, out, 0, a.length);
            Lanes.exp(out, 1, a.length - 1);
            for (int i = 1; i < a.length; i++) {
                float expected = Lanes.exp(a[i]);
                if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(out[i])) {
                    throw new AssertionError("round " + round + ": exp(" + a[i] + ") at " + i + " is " + out[i] + ", scalar " + expected);
                }
            }
            if (out[0] != a[0]) {
                throw new AssertionError("exp wrote before its offset");
            }
        }
    }

    @Test
    void expIsWithinTwoUlpOfMathExpOverTheWholeRange() {
        double worst = 0;
        float at = 0;
        for (float x = -104f; x <= 88.72f; x += 0.000731f) {
            double want = Math.exp(x);
            double err = Math.abs(Lanes.exp(x) - want) / Math.ulp((float) want);
            if (err > worst) {
                worst = err;
                at = x;
            }
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulp at x = " + at);
    }

    @Test
    void edgesOfTheRange() {
        assertEquals(1f, Lanes.exp(0f));
        assertEquals(0f, Lanes.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, Lanes.exp(-110f));
        assertEquals(0f, Lanes.exp(-1e30f));
        assertEquals(Float.POSITIVE_INFINITY, Lanes.exp(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Lanes.exp(88.73f));
        assertTrue(Float.isNaN(Lanes.exp(Float.NaN)));
        assertEquals((float) Math.exp(88.7f), Lanes.exp(88.7f), Math.ulp((float) Math.exp(88.7f)));
        // subnormal results, not flushed to zero
        assertEquals((float) Math.exp(-100f), Lanes.exp(-100f), Float.MIN_VALUE);
        assertTrue(Lanes.exp(-100f) > 0f);
        float[] specials = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 0f, -0f, -100f, 88.7f, 1f};
        float[] out = new float[4 * FloatVector.SPECIES_PREFERRED.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = specials[i % specials.length];
        }
        Lanes.exp(out, 0, out.length);
        for (int i = 0; i < out.length; i++) {
            assertEquals(Lanes.exp(specials[i % specials.length]), out[i], "lane of exp(" + specials[i % specials.length] + ")");
        }
    }
}
