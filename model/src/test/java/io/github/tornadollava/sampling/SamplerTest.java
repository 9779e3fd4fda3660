package io.github.tornadollava.sampling;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {

    private static SamplingParams params(float temperature, int topK, float topP, float minP, long seed) {
        return new SamplingParams(temperature, topK, topP, minP, 1f, 0, seed);
    }

    /** Logits whose softmax is exactly {@code probs}. */
    private static float[] logitsOf(double... probs) {
        float[] l = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            l[i] = (float) Math.log(probs[i]);
        }
        return l;
    }

    private static int[] histogram(Sampler s, float[] logits, int draws) {
        int[] counts = new int[logits.length];
        for (int i = 0; i < draws; i++) {
            counts[s.sample(logits)]++;
        }
        return counts;
    }

    private static float[] randomLogits(Random r, int n) {
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) (3 * r.nextGaussian());
        }
        return l;
    }

    @Test
    void greedyTakesArgmaxAndLowestIdOnTies() {
        Sampler s = new Sampler(SamplingParams.greedy(), 6);
        assertEquals(3, s.sample(new float[]{0, 1, 2, 5, 4, -1}));
        assertEquals(1, s.sample(new float[]{0, 7, 2, 7, 7, -1}));
        assertEquals(0, s.sample(new float[]{-3, -3, -3, -3, -3, -3}));
        float[] logits = {0, 7, 2, 7, 7, -1};
        s.sample(logits);
        assertArrayEquals(new float[]{0, 7, 2, 7, 7, -1}, logits, "input left unchanged");
    }

    @Test
    void topKOfOneIsGreedy() {
        Random r = new Random(1);
        for (int i = 0; i < 50; i++) {
            float[] logits = randomLogits(r, 1000);
            Sampler s = new Sampler(params(1.5f, 1, 1f, 0f, i), 1000);
            assertEquals(Sampler.argmax(logits, 1000), s.sample(logits));
        }
    }

    @Test
    void topKKeepsTheKBest() {
        float[] logits = {0.5f, 3f, 1f, 2.9f, -4f, 2.8f, 0f};
        int[] counts = histogram(new Sampler(params(5f, 3, 1f, 0f, 7), 7), logits, 3000);
        for (int id = 0; id < 7; id++) {
            boolean kept = id == 1 || id == 3 || id == 5;
            assertEquals(kept, counts[id] > 0, "token " + id + " drawn " + counts[id] + " times");
        }
    }

    @Test
    void topKBreaksTiesTowardLowIds() {
        float[] logits = {1f, 2f, 2f, 2f, 0f};
        int[] counts = histogram(new Sampler(params(1f, 2, 1f, 0f, 3), 5), logits, 2000);
        assertTrue(counts[1] > 0 && counts[2] > 0 && counts[3] == 0, java.util.Arrays.toString(counts));
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        float[] logits = logitsOf(0.05, 0.5, 0.15, 0.3);
        // cumulative in order 1,3,2,0: 0.5, 0.8, 0.95, 1.0 -> p=0.75 keeps {1,3}; p=0.9 keeps {1,3,2}
        int[] counts = histogram(new Sampler(params(1f, 0, 0.75f, 0f, 5), 4), logits, 4000);
        assertTrue(counts[0] == 0 && counts[2] == 0 && counts[1] > 0 && counts[3] > 0, java.util.Arrays.toString(counts));
        // renormalized: 0.5/0.8 = 0.625
        assertEquals(0.625, counts[1] / 4000.0, 0.03);
        counts = histogram(new Sampler(params(1f, 0, 0.9f, 0f, 5), 4), logits, 4000);
        assertTrue(counts[0] == 0 && counts[1] > 0 && counts[2] > 0 && counts[3] > 0, java.util.Arrays.toString(counts));
        counts = histogram(new Sampler(params(1f, 0, 0.4f, 0f, 5), 4), logits, 500);
        assertEquals(500, counts[1], "a single token already reaching p is kept alone");
    }

    @Test
    void minPDropsUnlikelyTokens() {
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        // min-p 0.2: threshold 0.1 -> keeps 0.5, 0.3, 0.15
        int[] counts = histogram(new Sampler(params(1f, 0, 1f, 0.2f, 9), 4), logits, 4000);
        assertTrue(counts[3] == 0 && counts[0] > 0 && counts[1] > 0 && counts[2] > 0, java.util.Arrays.toString(counts));
        counts = histogram(new Sampler(params(1f, 0, 1f, 0.7f, 9), 4), logits, 500);
        assertEquals(500, counts[0]);
    }

    @Test
    void temperatureSharpensAndFlattens() {
        float[] logits = logitsOf(0.6, 0.3, 0.1);
        int[] t1 = histogram(new Sampler(params(1f, 0, 1f, 0f, 11), 3), logits, 6000);
        assertEquals(0.6, t1[0] / 6000.0, 0.03);
        assertEquals(0.1, t1[2] / 6000.0, 0.02);
        int[] cold = histogram(new Sampler(params(0.05f, 0, 1f, 0f, 11), 3), logits, 1000);
        assertEquals(1000, cold[0]);
        int[] hot = histogram(new Sampler(params(100f, 0, 1f, 0f, 11), 3), logits, 6000);
        assertEquals(1 / 3.0, hot[2] / 6000.0, 0.03);
    }

    @Test
    void sameSeedSameTokens() {
        Random r = new Random(2);
        float[] logits = randomLogits(r, 32000);
        for (float[] lg : new float[][]{logits}) {
            int[] a = new int[100], b = new int[100], c = new int[100];
            Sampler sa = new Sampler(SamplingParams.defaults(42), 32000);
            Sampler sb = new Sampler(SamplingParams.defaults(42), 32000);
            Sampler sc = new Sampler(SamplingParams.defaults(43), 32000);
            for (int i = 0; i < 100; i++) {
                a[i] = sa.sample(lg);
                b[i] = sb.sample(lg);
                c[i] = sc.sample(lg);
            }
            assertArrayEquals(a, b);
            assertFalse(java.util.Arrays.equals(a, c));
        }
    }

    @Test
    void repetitionPenaltyFollowsLlamaCpp() {
        SamplingParams p = new SamplingParams(0f, 0, 1f, 0f, 2f, 3, 0);
        Sampler s = new Sampler(p, 4);
        float[] logits = {2f, 1.5f, -1f, -1.2f};
        assertEquals(0, s.sample(logits));
        s.accept(0);
        s.accept(0); // counted once: 2 / 2 = 1 < 1.5
        assertEquals(1, s.sample(logits));
        s.accept(1); // 1.5 / 2 = 0.75 < 1
        assertEquals(0, s.sample(new float[]{2f, 1.5f, 0.9f, -1f})); // 2/2 = 1 still beats 0.9
        assertEquals(2, s.sample(new float[]{1.6f, 1.5f, 0.9f, -1f}));
        // negative logits are multiplied: -1 * 2 = -2 < -1.2
        Sampler neg = new Sampler(p, 4);
        neg.accept(2);
        assertEquals(3, neg.sample(new float[]{-5f, -5f, -1f, -1.2f}));
    }

    @Test
    void repetitionPenaltyOnlySeesTheLastN() {
        Sampler s = new Sampler(new SamplingParams(0f, 0, 1f, 0f, 10f, 2, 0), 5);
        float[] logits = {1f, 0.9f, 0f, 0f, 0f};
        s.accept(0);
        assertEquals(1, s.sample(logits));
        s.accept(3);
        s.accept(4); // token 0 has left the window of 2
        assertEquals(0, s.sample(logits));
        s.resetHistory();
        assertEquals(0, s.sample(logits));
    }

    @Test
    void validatesParameters() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1f, 0, 1f, 0f, 1f, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, 0, 0f, 0f, 1f, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, 0, 1f, 1.5f, 1f, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, 0, 1f, 0f, 0f, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(SamplingParams.greedy(), 4).accept(4));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(SamplingParams.greedy(), 4).sample(new float[3]));
    }
}
