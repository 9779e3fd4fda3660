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
        return sb.append(String.format("; %,d parameters", total)).toString();
    }
}
