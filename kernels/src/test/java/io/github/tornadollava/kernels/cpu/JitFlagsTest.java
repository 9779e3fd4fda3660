package io.github.tornadollava.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
