package io.github.tornadollava.config;

/**
 * Which TornadoVM device runs the task graphs: {@code --device N} (index in the list printed by
 * {@code llava devices}, over all backends in order) or {@code --device B:D} (TornadoVM's
 * backend index and device index, as in {@code -Dtornado.device=B:D}).
 */
public record DeviceSelection(int backend, int device, boolean flat) {

    public static final DeviceSelection DEFAULT = new DeviceSelection(0, 0, false);

    public static DeviceSelection parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return DEFAULT;
        }
        String s = spec.trim();
        try {
            int colon = s.indexOf(':');
            if (colon < 0) {
                int n = Integer.parseInt(s);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return new DeviceSelection(0, n, true);
            }
            int b = Integer.parseInt(s.substring(0, colon));
            int d = Integer.parseInt(s.substring(colon + 1));
            if (b < 0 || d < 0) {
                throw new NumberFormatException();
            }
            return new DeviceSelection(b, d, false);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--device must be N or BACKEND:DEVICE (non-negative integers), got '" + spec + "'");
        }
    }
}
