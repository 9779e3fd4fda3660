package io.github.tornadollava.runner;

import picocli.CommandLine;

/** Reports the version Maven stamped into the jar manifest, and the JVM it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = LlavaCli.class.getPackage().getImplementationVersion();
        return new String[] {
                "tornado-llava " + (v != null ? v : "(development build)"),
                "JVM: " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
