package io.github.tornadollava.kernels.cpu;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * The HotSpot settings the Vector API kernels need to compile to the same code in every JVM.
 *
 * <p>Why: the Vector API's generic methods ({@code IntVector.lanewiseTemplate} and the like) are
 * shared by every kernel. While our kernels still run in the interpreter or C1, C2 compiles some
 * of those methods on their own with one-sided profiles, and they trap (class_check) once another
 * operator or shape comes by. The traps are counted in the shared method's profile. When C2 later
 * compiles a big kernel such as {@code Q4_KFormat.dot}, it adds up those counts once per inlined
 * copy, hundreds of copies, and past {@code PerMethodTrapLimit} (100) traps or half of
 * {@code PerMethodRecompilationCutoff} (400) decompiles it stops speculating: checks become real
 * branches, the vectors live on those paths are boxed, and the kernel allocates inside its loop.
 * That happened in about half of the runs where a prefill (or an image encode) ran before decoding:
 * Q4_K_M decode at 6-8 tok/s instead of 10-16. Counting per bytecode still protects against
 * methods that really trap; with the two method-wide limits lifted, prefill and the image encode
 * measured the same as before.
 */
public final class JitFlags {

    /** Far above what the inlined copies add up to (a few hundred in the K-quant dots). */
    public static final String TRAP_LIMIT = "-XX:PerMethodTrapLimit=1000000";
    /** -1: no method-wide cutoff; the per-bytecode one still stops a method that keeps deoptimizing. */
    public static final String RECOMPILATION_CUTOFF = "-XX:PerMethodRecompilationCutoff=-1";
    /** What {@code ./llava}, the tests and the JMH forks pass; an embedding application should pass the same. */
    public static final List<String> RECOMMENDED = List.of(TRAP_LIMIT, RECOMPILATION_CUTOFF);

    private JitFlags() {
    }

    /**
     * The recommended flags this JVM does not run with; empty when all are set, or when the JVM
     * does not say (not HotSpot, or a runtime image without jdk.management).
     */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>();
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotspot == null) {
                return missing;
            }
            for (String flag : RECOMMENDED) {
                String[] nameValue = flag.substring("-XX:".length()).split("=", 2);
                if (!liftedEnough(Long.parseLong(hotspot.getVMOption(nameValue[0]).getValue()), Long.parseLong(nameValue[1]))) {
                    missing.add(flag);
                }
            }
        } catch (LinkageError | IllegalArgumentException e) {
            // no jdk.management module, or a JVM without these options: nothing to advise
            missing.clear();
        }
        return missing;
    }

    /** Whether a limit set to {@code value} is at least {@code wanted}; -1 means no limit. */
    static boolean liftedEnough(long value, long wanted) {
        return value == -1 || (wanted != -1 && value >= wanted);
    }
}
