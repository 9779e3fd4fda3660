package io.github.tornadollava.runner;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How much memory a run took, for {@code llava bench}: the process's peak resident set (Linux's
 * VmHWM: mapped weights that were touched, the off-heap KV cache, the JVM) and the peak of the
 * Java heap, which the engine keeps small (weights are memory-mapped, the KV cache is native).
 */
record MemoryUse(long peakRssBytes, long peakHeapUsedBytes, long maxHeapBytes) {

    static MemoryUse now() {
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        return new MemoryUse(peakRss(), heapPeak, Runtime.getRuntime().maxMemory());
    }

    /** VmHWM of /proc/self/status in bytes, or -1 where there is no such file (not Linux). */
    private static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            // not available here: reported as unknown
        }
        return -1;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "memory: peak RSS %s, peak Java heap used %d MiB (max heap %d MiB)",
                peakRssBytes < 0 ? "unknown" : (peakRssBytes >> 20) + " MiB", peakHeapUsedBytes >> 20, maxHeapBytes >> 20);
    }
}
