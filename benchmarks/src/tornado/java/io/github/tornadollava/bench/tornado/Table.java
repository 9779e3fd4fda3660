package io.github.tornadollava.bench.tornado;

import java.util.Locale;

/** The printed table, one row as soon as it is measured (a full run takes minutes). */
final class Table {

    private static final String FORMAT = "%-32s %-40s %-9s %22s %22s %22s %8s %8s %9s %9s %8s  %s%n";

    private boolean header;

    /** One comparison's figures; {@code error} set when it could not run. */
    record Row(Cases.Spec spec, Samples cpu, Samples kernel, Samples wall, double maxAbsDiff, double maxAbsCpu, double relDiff, String error) {

        static Row measured(Cases.Spec spec, Samples cpu, Samples kernel, Samples wall, float[] expected, float[] actual) {
            if (expected.length != actual.length) {
                throw new IllegalStateException("CPU output has " + expected.length + " values, device output " + actual.length);
            }
            double maxDiff = 0;
            double maxRef = 0;
            for (int i = 0; i < expected.length; i++) {
                double diff = Math.abs((double) actual[i] - expected[i]);
                maxDiff = Double.isNaN(diff) || diff > maxDiff ? diff : maxDiff;
                maxRef = Math.max(maxRef, Math.abs(expected[i]));
                if (Double.isNaN(maxDiff)) {
                    break;
                }
            }
            double rel = maxRef > 0 ? maxDiff / maxRef : maxDiff;
            return new Row(spec, cpu, kernel, wall, maxDiff, maxRef, rel, null);
        }

        static Row failed(Cases.Spec spec, Throwable e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return new Row(spec, null, null, null, Double.NaN, Double.NaN, Double.NaN, e + (root != e ? " <- " + root : ""));
        }

        boolean agrees() {
            return error == null && relDiff <= KernelComparison.TOLERANCE;
        }
    }

    void print(Row r) {
        if (!header) {
            System.out.printf(Locale.ROOT, FORMAT, "kernel", "shape", "format", "CPU ms", "device kernel ms", "device wall ms", "x kernel", "x wall",
                    "max|diff|", "max|cpu|", "rel diff", "check");
            header = true;
        }
        Cases.Spec s = r.spec();
        if (r.error() != null) {
            System.out.printf(Locale.ROOT, FORMAT, s.kernel(), s.shape(), s.format(), "-", "-", "-", "-", "-", "-", "-", "-", "FAILED: " + r.error());
            return;
        }
        System.out.printf(Locale.ROOT, FORMAT, s.kernel(), s.shape(), s.format(), r.cpu(), r.kernel(), r.wall(),
                speedup(r.cpu(), r.kernel()), speedup(r.cpu(), r.wall()),
                String.format(Locale.ROOT, "%.2e", r.maxAbsDiff()), String.format(Locale.ROOT, "%.2e", r.maxAbsCpu()), String.format(Locale.ROOT, "%.1e", r.relDiff()), r.agrees() ? "ok" : "MISMATCH");
        System.out.flush();
    }

    private static String speedup(Samples cpu, Samples device) {
        if (!device.present()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f", cpu.meanMs() / device.meanMs());
    }
}
