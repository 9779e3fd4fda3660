package io.github.tornadollava.kernels.format;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** Unpacking shared by Q5_0 and Q5_1: nibbles plus one high bit per weight from the word qh. */
final class Q5 {

    private static final IntVector[] SHIFTS = {
        Blocks.IOTA, Blocks.IOTA.add(8), Blocks.IOTA.add(16), Blocks.IOTA.add(24)
    };

    private Q5() {
    }

    /** 5-bit values of weights {@code first..first+7} (first = 0 or 8) from the low nibbles {@code q}. */
    static IntVector low(IntVector q, IntVector qh, int first) {
        return q.and(0xF).or(highBit(qh, first));
    }

    /** 5-bit values of weights {@code first..first+7} (first = 16 or 24) from the high nibbles {@code q}. */
    static IntVector high(IntVector q, IntVector qh, int first) {
        return q.lanewise(VectorOperators.LSHR, 4).or(highBit(qh, first));
    }

    /** Bit {@code first + lane} of qh, moved to bit 4 of each lane. */
    private static IntVector highBit(IntVector qh, int first) {
        return qh.lanewise(VectorOperators.LSHR, SHIFTS[first >> 3]).and(1).lanewise(VectorOperators.LSHL, 4);
    }
}
