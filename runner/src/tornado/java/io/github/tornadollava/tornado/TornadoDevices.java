package io.github.tornadollava.tornado;

import java.util.ArrayList;
import java.util.List;

import io.github.tornadollava.config.DeviceSelection;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * The devices TornadoVM sees, numbered over all its backends in order: the numbering of
 * {@code llava devices} and {@code --device N}; {@code --device B:D} names TornadoVM's own
 * backend and device indices.
 */
final class TornadoDevices {

    /** One device with its indices. */
    record Entry(int index, int backend, int device, TornadoDevice handle, String backendName) {

        /** The hardware's name, e.g. "NVIDIA H100 80GB HBM3" (TornadoVM's own device name is "opencl-0-0"). */
        String name() {
            return handle.getPhysicalDevice().getDeviceName();
        }

        /** "N: B:D name (TYPE, backend, platform)", one line of {@code llava devices}. */
        String line() {
            return index + ": " + backend + ":" + device + " " + name() + " (" + handle.getDeviceType() + ", " + backendName + ", "
                    + handle.getPlatformName() + ")";
        }

        /** What the work-group table's {@code match} patterns are tried against: name, platform, type. */
        String matchText() {
            return name() + " (" + handle.getPlatformName() + ") " + handle.getDeviceType();
        }
    }

    private TornadoDevices() {
    }

    static List<Entry> all() {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        List<Entry> entries = new ArrayList<>();
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            TornadoBackend backend = runtime.getBackend(b);
            for (int d = 0; d < backend.getNumDevices(); d++) {
                entries.add(new Entry(entries.size(), b, d, backend.getDevice(d), backend.getName()));
            }
        }
        return entries;
    }

    /** The device {@code spec} names ({@code N} or {@code B:D}); TornadoVM's default device when null. */
    static Entry select(String spec) {
        List<Entry> all = all();
        if (all.isEmpty()) {
            throw new IllegalStateException("TornadoVM reports no device (check the drivers of the SDK in TORNADOVM_HOME)");
        }
        if (spec == null || spec.isBlank()) {
            TornadoDevice fallback = TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice();
            return all.stream().filter(e -> e.handle().equals(fallback)).findFirst().orElse(all.getFirst());
        }
        DeviceSelection sel = DeviceSelection.parse(spec);
        return all.stream()
                .filter(e -> sel.flat() ? e.index() == sel.device() : e.backend() == sel.backend() && e.device() == sel.device())
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--device " + spec + ": no such TornadoVM device; `llava devices` lists "
                        + all.size() + " (0.." + (all.size() - 1) + ")"));
    }
}
