package io.github.tornadollava.kernels.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * The CPU backend's worker pool. One pool for the whole process, sized by {@link #setThreads};
 * work is split into a few chunks per thread so no thread is created per token.
 */
public final class Parallel {

    /** Body of a parallel loop over the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile ForkJoinPool pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());

    private Parallel() {
    }

    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (pool.getParallelism() != threads) {
            ForkJoinPool old = pool;
            pool = new ForkJoinPool(threads);
            old.shutdown();
        }
    }

    public static int threads() {
        return pool.getParallelism();
    }

    /** Runs {@code body} over [0, n) in chunks of at least {@code grain} elements. */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int threads = pool.getParallelism();
        if (threads == 1 || n <= grain) {
            body.run(0, n);
            return;
        }
        int chunks = Math.max(1, Math.min(threads * 4, (n + grain - 1) / grain));
        pool.invoke(new Chunk(body, n, chunks, 0, chunks));
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int n, chunks, lo, hi;

        Chunk(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int start = (int) ((long) n * lo / chunks);
                int end = (int) ((long) n * hi / chunks);
                body.run(start, end);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunk(body, n, chunks, lo, mid), new Chunk(body, n, chunks, mid, hi));
        }
    }
}
