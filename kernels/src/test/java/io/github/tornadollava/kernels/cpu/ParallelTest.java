package io.github.tornadollava.kernels.cpu;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The worker pool: every index exactly once, items one at a time, nested loops inline, failures reach the caller. */
class ParallelTest {

    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @Test
    void everyIndexOnceForManyLoops() {
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {1, 7, 16, 1000, 5632}) {
                for (int rep = 0; rep < 50; rep++) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    Parallel.forRange(n, 4, (s, e) -> {
                        for (int i = s; i < e; i++) {
                            seen.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, seen.get(i), threads + " threads, n=" + n + ", index " + i);
                    }
                }
            }
        }
    }

    @Test
    void forEachItemHandsOutOneItemAtATime() {
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {1, 2, 7, 86, 235}) {
                for (int rep = 0; rep < 50; rep++) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    AtomicIntegerArray widths = new AtomicIntegerArray(n + 1);
                    Parallel.forEachItem(n, (s, e) -> {
                        widths.incrementAndGet(e - s);
                        for (int i = s; i < e; i++) {
                            seen.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, seen.get(i), threads + " threads, n=" + n + ", index " + i);
                    }
                    // one call with everything on one thread, otherwise one call per item
                    int expectedWidth = threads == 1 ? n : 1;
                    assertEquals(n / expectedWidth, widths.get(expectedWidth), threads + " threads, n=" + n);
                }
            }
        }
    }

    @Test
    void nestedLoopRunsInline() {
        Parallel.setThreads(2);
        AtomicIntegerArray seen = new AtomicIntegerArray(64 * 64);
        Parallel.forRange(64, 1, (s, e) -> {
            for (int i = s; i < e; i++) {
                int row = i;
                Parallel.forRange(64, 1, (s2, e2) -> {
                    for (int j = s2; j < e2; j++) {
                        seen.incrementAndGet(row * 64 + j);
                    }
                });
            }
        });
        for (int i = 0; i < 64 * 64; i++) {
            assertEquals(1, seen.get(i), "index " + i);
        }
    }

    @Test
    void failureReachesTheCaller() {
        Parallel.setThreads(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(100, 1, (s, end) -> {
            if (s <= 70 && 70 < end) {
                throw new IllegalStateException("chunk with 70");
            }
        }));
        assertEquals("chunk with 70", e.getMessage());
        int[] sum = new int[1];
        Parallel.forRange(100, 1, (s, end) -> {
            synchronized (sum) {
                sum[0] += end - s;
            }
        });
        assertEquals(100, sum[0], "the pool still works after a failure");
    }
}
