package io.github.tornadollava.kernels.cpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The CPU backend's worker pool: {@code threads - 1} persistent workers plus the calling thread.
 *
 * <p>Why not a ForkJoinPool: a decoded token runs ~100 parallel loops of well under a
 * millisecond each (one per weight matrix, the attention, ...). A ForkJoinPool parks its workers
 * between them, and waking a parked thread costs tens of microseconds, far more on a loaded
 * machine where the woken thread must wait for the scheduler. Here workers spin for a short
 * while after each loop (like llama.cpp's threads), so the next loop of the same token finds
 * them awake; only after {@link #SPIN_NANOS} of idleness do they park.
 *
 * <p>A loop is cut into a few contiguous chunks per thread (contiguous rows stream through the
 * hardware prefetcher); threads claim chunks from a shared counter, so a thread the OS
 * preempts does not hold up the others. Calls from inside a loop body, and calls while the
 * pool serves another thread, run on the calling thread or wait their turn respectively.
 */
public final class Parallel {

    /** Body of a parallel loop over the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /**
     * How long an idle worker, or a caller waiting for the workers, spins before it parks (system
     * property llava.cpu.spinMicros, default 50). Long enough to bridge the serial steps between
     * the loops of a token; short because on an oversubscribed machine spinning threads lose to
     * sleeping ones in the scheduler. Measured on 2 cores, 1B Q8_0 decode: at load ~2 this pool
     * gives 7.8-8.4 tok/s against the ForkJoinPool's 6.3-6.6; at load ~4.5, 4.7 against 5.0, and
     * spinning for 2 ms there drops to 3.6.
     */
    private static final long SPIN_NANOS = 1000L * Long.getLong("llava.cpu.spinMicros", 50);
    /** Chunks per thread: enough slack for one preempted thread, few enough to keep rows contiguous. */
    private static final int CHUNKS_PER_THREAD = 4;

    private static volatile Pool pool = new Pool(Runtime.getRuntime().availableProcessors());

    private Parallel() {
    }

    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (pool.threads != threads) {
            Pool old = pool;
            pool = new Pool(threads);
            old.shutdown();
        }
    }

    public static int threads() {
        return pool.threads;
    }

    /** Runs {@code body} over [0, n) in chunks of at least {@code grain} elements. */
    public static void forRange(int n, int grain, RangeBody body) {
        Pool p = pool;
        run(p, n, Math.min(p.threads * CHUNKS_PER_THREAD, (n + Math.max(1, grain) - 1) / Math.max(1, grain)), body);
    }

    /**
     * Runs {@code body} over [0, n) with every element a chunk of its own, for loops over few, long
     * items of uneven cost (a prefill matmul's row tiles): a thread that finishes early takes the
     * next item instead of the other waiting out a quarter of its share at the end.
     */
    public static void forEachItem(int n, RangeBody body) {
        run(pool, n, n, body);
    }

    /** [0, n) in {@code chunks} chunks on the pool; on the calling thread alone when there is nothing to share. */
    private static void run(Pool p, int n, int chunks, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (p.threads == 1 || chunks <= 1 || p.isInsideLoop()) {
            body.run(0, n);
            return;
        }
        p.run(new Job(body, n, chunks));
    }

    /** One parallel loop; threads claim its chunks with {@link #claim}, the caller waits for {@link #finished}. */
    private static final class Job {
        private static final VarHandle NEXT;
        private static final VarHandle DONE;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                NEXT = l.findVarHandle(Job.class, "next", int.class);
                DONE = l.findVarHandle(Job.class, "done", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final RangeBody body;
        final int n;
        final int chunks;
        @SuppressWarnings("unused") // via NEXT
        private volatile int next;
        @SuppressWarnings("unused") // via DONE
        private volatile int done;
        volatile Throwable failure;
        /** The calling thread once it parks to wait; whoever finishes the last chunk unparks it. */
        volatile Thread waiter;

        Job(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
        }

        /** Runs chunks until none is left; a stale worker holding a finished job just finds none. */
        void work() {
            int c;
            while ((c = (int) NEXT.getAndAdd(this, 1)) < chunks) {
                try {
                    if (failure == null) {
                        body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                    }
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    if ((int) DONE.getAndAdd(this, 1) == chunks - 1) {
                        Thread w = waiter;
                        if (w != null) {
                            LockSupport.unpark(w);
                        }
                    }
                }
            }
        }

        boolean finished() {
            return (int) DONE.getVolatile(this) == chunks;
        }
    }

    private static final class Pool {
        final int threads;
        private final Worker[] workers;
        private final ReentrantLock lock = new ReentrantLock();
        /** The latest job; workers run each new one they see. */
        private volatile Job current;
        private volatile boolean shutdown;
        /** The thread running a job's share on the caller side, so nested calls run inline. */
        private volatile Thread caller;

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        boolean isInsideLoop() {
            Thread t = Thread.currentThread();
            return t == caller || (t instanceof Worker w && w.pool == this);
        }

        void run(Job job) {
            lock.lock();
            try {
                caller = Thread.currentThread();
                current = job;
                for (Worker w : workers) {
                    if (w.parked) {
                        LockSupport.unpark(w);
                    }
                }
                job.work();
                // The remaining chunks are running on workers and take about as long as ours did.
                // The remaining chunks are running on workers: spin a little, then sleep until the last one ends.
                long waitingSince = System.nanoTime();
                while (!job.finished()) {
                    if (System.nanoTime() - waitingSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        job.waiter = Thread.currentThread();
                        while (!job.finished()) {
                            LockSupport.park(job);
                        }
                    }
                }
            } finally {
                caller = null;
                lock.unlock();
            }
            Throwable t = job.failure;
            if (t instanceof RuntimeException e) {
                throw e;
            } else if (t instanceof Error e) {
                throw e;
            } else if (t != null) {
                throw new RuntimeException(t);
            }
        }

        void shutdown() {
            shutdown = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }

    private static final class Worker extends Thread {
        final Pool pool;
        /** Set before parking; the caller unparks flagged workers after publishing a job. */
        volatile boolean parked;

        Worker(Pool pool, int index) {
            super("llava-cpu-" + (index + 1));
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = pool.current;
            while (!pool.shutdown) {
                Job job = pool.current;
                if (job != seen) {
                    seen = job;
                    job.work();
                    continue;
                }
                long idleSince = System.nanoTime();
                while ((job = pool.current) == seen && !pool.shutdown) {
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        for (int i = 0; i < 64; i++) {
                            Thread.onSpinWait();
                        }
                    } else {
                        parked = true;
                        // re-check after raising the flag: either we see the job or the caller sees the flag
                        if (pool.current == seen && !pool.shutdown) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        idleSince = System.nanoTime();
                    }
                }
            }
        }
    }
}
