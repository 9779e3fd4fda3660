package io.github.tornadollava.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits in llama.cpp's usual order: repetition penalty,
 * top-k, top-p, min-p, temperature, then a draw from the remaining distribution with a seeded
 * generator. Temperature 0 is greedy argmax (every filter keeps the most likely token, so they
 * are skipped); exact ties go to the lowest id, like the references and llama.cpp's greedy.
 *
 * <p>All buffers are allocated once for the vocabulary; {@link #sample} does not allocate and
 * does not modify its input. Not thread-safe.
 */
public final class Sampler {

    private final SamplingParams params;
    private final int vocabSize;
    private final SplittableRandom random;

    /** Logits after the repetition penalty. */
    private final float[] work;
    /** Candidates as sort keys: high 32 bits order by logit descending, low 32 bits hold the id. */
    private final long[] keys;
    private final double[] probs;

    /** The last {@code repeatLastN} accepted tokens, a ring buffer. */
    private final int[] history;
    private int historyCount;
    private int historyNext;
    /** penalizedAt[id] == stamp marks ids already penalized in this call, so duplicates count once. */
    private final int[] penalizedAt;
    private int stamp;

    public Sampler(SamplingParams params, int vocabSize) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabulary size must be >= 1, got " + vocabSize);
        }
        this.params = params;
        this.vocabSize = vocabSize;
        this.random = new SplittableRandom(params.seed());
        this.work = new float[vocabSize];
        this.keys = new long[vocabSize];
        this.probs = new double[vocabSize];
        this.history = new int[params.repeatLastN()];
        this.penalizedAt = new int[vocabSize];
    }

    public SamplingParams params() {
        return params;
    }

    /** Records a token that is now part of the context (prompt or generated), for the repetition penalty. */
    public void accept(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary 0.." + (vocabSize - 1));
        }
        if (history.length == 0) {
            return;
        }
        history[historyNext] = token;
        historyNext = (historyNext + 1) % history.length;
        historyCount = Math.min(historyCount + 1, history.length);
    }

    /** Forgets the accepted tokens (a new conversation); the random stream continues. */
    public void resetHistory() {
        historyCount = 0;
        historyNext = 0;
    }

    /** Chooses a token id from {@code logits} (at least vocabSize values, left unchanged). */
    public int sample(float[] logits) {
        if (logits.length < vocabSize) {
            throw new IllegalArgumentException("logits hold " + logits.length + " values, the vocabulary has " + vocabSize);
        }
        System.arraycopy(logits, 0, work, 0, vocabSize);
        applyRepetitionPenalty();
        if (params.isGreedy()) {
            return argmax(work, vocabSize);
        }
        int n = topK();
        n = topP(n);
        n = minP(n);
        return draw(n);
    }

    /** Index of the largest value; the lowest index wins exact ties. */
    public static int argmax(float[] values, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private void applyRepetitionPenalty() {
        float penalty = params.repeatPenalty();
        if (penalty == 1f || historyCount == 0) {
            return;
        }
        if (++stamp == 0) { // wrapped after 2^32 calls: clear the marks once
            Arrays.fill(penalizedAt, 0);
            stamp = 1;
        }
        for (int i = 0; i < historyCount; i++) {
            int id = history[i];
            if (penalizedAt[id] != stamp) {
                penalizedAt[id] = stamp;
                work[id] = work[id] > 0 ? work[id] / penalty : work[id] * penalty;
            }
        }
    }

    /** Fills keys[0..n) with the top-k candidates sorted by logit (descending), returns n. */
    private int topK() {
        int k = params.topK() <= 0 ? vocabSize : Math.min(params.topK(), vocabSize);
        if (k == vocabSize) {
            for (int id = 0; id < vocabSize; id++) {
                keys[id] = key(work[id], id);
            }
        } else {
            // Bounded max-heap of the k smallest keys (= the k best tokens): O(V log k), no full sort.
            for (int id = 0; id < k; id++) {
                keys[id] = key(work[id], id);
                siftUp(id);
            }
            for (int id = k; id < vocabSize; id++) {
                long key = key(work[id], id);
                if (key < keys[0]) {
                    keys[0] = key;
                    siftDown(0, k);
                }
            }
        }
        Arrays.sort(keys, 0, k);
        return k;
    }

    /** Keeps the smallest prefix whose probability (at temperature 1) reaches top-p; at least one token. */
    private int topP(int n) {
        float p = params.topP();
        if (p >= 1f) {
            return n;
        }
        double sum = softmax(n, 1f);
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += probs[i] / sum;
            if (cumulative >= p) {
                return i + 1;
            }
        }
        return n;
    }

    /** Keeps the candidates whose probability is at least min-p times the top one's. */
    private int minP(int n) {
        float minP = params.minP();
        if (minP <= 0f) {
            return n;
        }
        double threshold = work[id(0)] + Math.log(minP);
        int kept = 1;
        while (kept < n && work[id(kept)] >= threshold) {
            kept++;
        }
        return kept;
    }

    /** Samples among the first n candidates with probabilities softmax(logit / temperature). */
    private int draw(int n) {
        double sum = softmax(n, params.temperature());
        double r = random.nextDouble() * sum;
        for (int i = 0; i < n - 1; i++) {
            r -= probs[i];
            if (r < 0) {
                return id(i);
            }
        }
        return id(n - 1);
    }

    /** probs[i] = exp((logit_i - max) / temperature) for the first n (sorted) candidates; returns their sum. */
    private double softmax(int n, float temperature) {
        double max = work[id(0)];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp((work[id(i)] - max) / temperature);
            probs[i] = e;
            sum += e;
        }
        return sum;
    }

    private int id(int candidate) {
        return (int) keys[candidate];
    }

    /**
     * Sort key: ascending keys = descending logits, then ascending ids. The float's bits are mapped
     * to an int with the same order, then complemented to reverse it.
     */
    private static long key(float logit, int id) {
        int bits = Float.floatToRawIntBits(logit);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~ordered << 32) | id;
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] >= keys[i]) {
                return;
            }
            swap(parent, i);
            i = parent;
        }
    }

    private void siftDown(int i, int size) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int largest = l + 1 < size && keys[l + 1] > keys[l] ? l + 1 : l;
            if (keys[i] >= keys[largest]) {
                return;
            }
            swap(i, largest);
            i = largest;
        }
    }

    private void swap(int a, int b) {
        long t = keys[a];
        keys[a] = keys[b];
        keys[b] = t;
    }
}
