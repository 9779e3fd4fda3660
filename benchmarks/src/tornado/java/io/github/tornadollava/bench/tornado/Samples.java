package io.github.tornadollava.bench.tornado;

import java.util.Arrays;
import java.util.Locale;

/** Timings of repeated runs, in nanoseconds; printed as milliseconds "mean ± sd". */
final class Samples {

    private final long[] nanos;
    private int count;

    Samples(int capacity) {
        nanos = new long[capacity];
    }

    void add(long ns) {
        nanos[count++] = ns;
    }

    /** False when the source reported nothing (TornadoVM's profiler gives 0 or -1 when it has no figure). */
    boolean present() {
        return count > 0 && Arrays.stream(nanos, 0, count).allMatch(n -> n > 0);
    }

    double meanMs() {
        return Arrays.stream(nanos, 0, count).average().orElse(Double.NaN) / 1e6;
    }

    double sdMs() {
        if (count < 2) {
            return 0;
        }
        double mean = meanMs();
        double ss = 0;
        for (int i = 0; i < count; i++) {
            double d = nanos[i] / 1e6 - mean;
            ss += d * d;
        }
        return Math.sqrt(ss / (count - 1));
    }

    @Override
    public String toString() {
        if (!present()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.3f ± %.3f", meanMs(), sdMs());
    }
}
