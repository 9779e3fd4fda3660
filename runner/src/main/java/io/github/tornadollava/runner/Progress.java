package io.github.tornadollava.runner;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of long work (loading, image encoding) on stderr: a bar redrawn in place on a
 * terminal, a single line per step when stderr is redirected, nothing with {@code --quiet}.
 */
final class Progress {

    private final PrintStream err = System.err;
    private final boolean terminal;
    private final boolean quiet;
    private long started;
    private String label = "";

    Progress(boolean quiet) {
        this.quiet = quiet;
        java.io.Console c = System.console();
        this.terminal = c != null && c.isTerminal();
    }

    void begin(String what) {
        label = what;
        started = System.nanoTime();
        if (!quiet && terminal) {
            err.print("\r" + what + " ...");
            err.flush();
        }
    }

    /** {@code done} of {@code total} steps finished. */
    void update(int done, int total) {
        if (quiet || !terminal || total <= 0) {
            return;
        }
        int width = 30;
        int filled = (int) ((long) width * done / total);
        err.printf(Locale.ROOT, "\r%s [%s%s] %d/%d", label, "#".repeat(filled), ".".repeat(width - filled), done, total);
        err.flush();
    }

    /** Ends the current step and returns its duration in milliseconds. */
    double end() {
        double ms = (System.nanoTime() - started) / 1e6;
        if (!quiet) {
            String line = String.format(Locale.ROOT, "%s: %.0f ms", label, ms);
            err.print(terminal ? "\r\033[K" + line + "\n" : line + "\n");
            err.flush();
        }
        return ms;
    }
}
