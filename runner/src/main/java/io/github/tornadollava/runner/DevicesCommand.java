package io.github.tornadollava.runner;

import java.util.concurrent.Callable;

import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.engine.BackendSettings;
import picocli.CommandLine.Command;

/** {@code llava devices}: the accelerators TornadoVM sees, numbered as {@code --device} takes them. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List TornadoVM's devices (needs the tornado backend: TORNADOVM_HOME and ./llava).")
final class DevicesCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        try (Backend b = Backend.create("tornado", BackendSettings.DEFAULTS)) {
            for (String d : b.devices()) {
                System.out.println(d);
            }
        }
        return 0;
    }
}
