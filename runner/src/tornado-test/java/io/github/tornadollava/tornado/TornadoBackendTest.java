package io.github.tornadollava.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.engine.BackendSettings;

/** The backend as the CLI finds it: by name through the service loader, with its device list and device selection. */
class TornadoBackendTest {

    @Test
    void isFoundByNameAndListsItsDevices() {
        try (Backend b = Backend.create("tornado", BackendSettings.DEFAULTS)) {
            assertInstanceOf(TornadoBackend.class, b);
            assertEquals("tornado", b.name());
            List<String> devices = b.devices();
            assertFalse(devices.isEmpty());
            for (int i = 0; i < devices.size(); i++) {
                assertTrue(devices.get(i).matches(i + ": \\d+:\\d+ .+ \\(\\w+, .+\\)"), devices.get(i));
            }
            String first = TornadoDevices.all().getFirst().name();
            assertTrue(devices.getFirst().contains(first), devices.getFirst());
            assertTrue(b.description().startsWith("tornado "), b.description());
            assertEquals("", b.profileSummary(), "no profile unless asked for");
        }
    }

    @Test
    void selectsDevicesByFlatIndexOrBackendAndDevice() {
        TornadoDevices.Entry first = TornadoDevices.all().getFirst();
        assertEquals(first, TornadoDevices.select("0"));
        assertEquals(first, TornadoDevices.select(first.backend() + ":" + first.device()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backend.create("tornado", new BackendSettings(null, "99", null, false, false)));
        assertTrue(e.getMessage().contains("llava devices"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TornadoDevices.select("7:0"));
        assertThrows(IllegalArgumentException.class, () -> TornadoDevices.select("gpu"));
    }
}
