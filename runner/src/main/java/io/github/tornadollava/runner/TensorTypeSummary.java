package io.github.tornadollava.runner;

import java.util.Map;
import java.util.TreeMap;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.GGUFTensorInfo;
import io.github.tornadollava.kernels.format.GGMLType;

/** "F32: 5, Q8_0: 16" — what a quantized file mixes, per tensor type. */
final class TensorTypeSummary {
    private TensorTypeSummary() {
    }

    static String of(GGUFFile f) {
        Map<GGMLType, Integer> counts = new TreeMap<>();
        long total = 0;
        for (GGUFTensorInfo t : f.tensors()) {
            counts.merge(t.type(), 1, Integer::sum);
            total += t.elementCount();
        }
        StringBuilder sb = new StringBuilder("  tensor types: ");
        counts.forEach((t, n) -> sb.append(t).append(": ").append(n).append(", "));
        if (!counts.isEmpty()) {
            sb.setLength(sb.length() - 2);
        }
        sb.append(String.format("; %,d parameters", total));
        String device = deviceConversions(f);
        sb.append("\n  on --backend tornado: ").append(device.isEmpty() ? "every matrix is uploaded as stored" : device);
        return sb.toString();
    }

    /**
     * What the TornadoVM backend does with each type when it uploads the 2-D weights: its kernels
     * take F32, F16 and Q8_0; other block-quantized types are re-quantized to Q8_0, the rest widened
     * to F32 (the rule of the backend's DeviceMatrices, stated here so users see it before loading).
     */
    static String deviceConversions(GGUFFile f) {
        Map<String, Integer> conv = new TreeMap<>();
        for (GGUFTensorInfo t : f.tensors()) {
            GGMLType type = t.type();
            if (t.dims() < 2 || type == GGMLType.F32 || type == GGMLType.F16 || type == GGMLType.Q8_0) {
                continue;
            }
            String to = type.blockSize > 1 && t.ne(0) % 32 == 0 ? "Q8_0 (re-quantized)" : "F32";
            conv.merge(type + " -> " + to, 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder();
        conv.forEach((k, n) -> sb.append(n).append(" x ").append(k).append(", "));
        if (sb.length() > 0) {
            sb.setLength(sb.length() - 2);
        }
        return sb.toString();
    }
}
