package io.github.tornadollava.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.junit.jupiter.api.Test;

class JitFlagsTest {

    @Test
    void theTestJvmRunsWithTheRecommendedFlags() {
        // the pom's argLine must carry them, as ./llava does
        assertEquals(List.of(), JitFlags.missing());
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        assertTrue(args.containsAll(JitFlags.RECOMMENDED), args.toString());
    }

    @Test
    void aHigherLimitOrNoLimitIsEnough() {
        assertTrue(JitFlags.liftedEnough(2_000_000, 1_000_000));
        assertTrue(JitFlags.liftedEnough(-1, -1));
        assertTrue(JitFlags.liftedEnough(-1, 1_000_000));
        assertFalse(JitFlags.liftedEnough(100, 1_000_000));
        assertFalse(JitFlags.liftedEnough(400, -1));
    }
}
