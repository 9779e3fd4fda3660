package io.github.tornadollava.config;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TornadoLaunchConfigTest {

    @Test
    void builtInTablePicksPerDeviceSizes() {
        TornadoLaunchConfig c = TornadoLaunchConfig.builtIn();
        assertEquals(16, c.sizesFor("cpu-AMD EPYC-pthread (Portable Computing Language)").matvec());
        assertEquals(512, c.sizesFor("NVIDIA H100 80GB HBM3").norm());
        assertEquals(c.defaults(), c.sizesFor("some unknown accelerator"));
    }

    @Test
    void userFileOverridesAndBadFilesNameThemselves(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("wg.json");
        Files.writeString(good, """
                {"default": {"matvec": 64, "norm": 64, "attention": 32, "elementwise": 64}}
                """);
        assertEquals(64, TornadoLaunchConfig.load(good).sizesFor("anything").matvec());

        Path notPow2 = dir.resolve("bad.json");
        Files.writeString(notPow2, """
                {"default": {"matvec": 100, "norm": 64, "attention": 32, "elementwise": 64}}
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TornadoLaunchConfig.load(notPow2));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("matvec"), e.getMessage());

        Path missing = dir.resolve("missing.json");
        Files.writeString(missing, "{\"default\": {\"matvec\": 64}}");
        e = assertThrows(IllegalArgumentException.class, () -> TornadoLaunchConfig.load(missing));
        assertTrue(e.getMessage().contains("missing.json"), e.getMessage());

        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, "{\"default\": {\"matvec\": 64, \"norm\": 64, \"attention\": 32, \"elementwise\": 64}, \"devcies\": []}");
        assertThrows(IllegalArgumentException.class, () -> TornadoLaunchConfig.load(typo));

        // the mat-mul tile is fixed by the kernel; an old table that still sets it is refused by name, not silently ignored
        Path oldTile = dir.resolve("old.json");
        Files.writeString(oldTile, "{\"default\": {\"matvec\": 64, \"matmulTile\": 8, \"norm\": 64, \"attention\": 32, \"elementwise\": 64}}");
        e = assertThrows(IllegalArgumentException.class, () -> TornadoLaunchConfig.load(oldTile));
        assertTrue(e.getMessage().contains("old.json") && e.getMessage().contains("matmulTile"), e.getMessage());
    }

    @Test
    void deviceSelectionParses() {
        assertEquals(new DeviceSelection(0, 2, true), DeviceSelection.parse("2"));
        assertEquals(new DeviceSelection(1, 0, false), DeviceSelection.parse("1:0"));
        assertThrows(IllegalArgumentException.class, () -> DeviceSelection.parse("gpu"));
        assertThrows(IllegalArgumentException.class, () -> DeviceSelection.parse("-1"));
    }
}
