package io.github.tornadollava.runner;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.github.tornadollava.gguf.GGUFArray;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.GGUFTensorInfo;
import io.github.tornadollava.kernels.format.WeightFormats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llava info FILE.gguf}: metadata and the tensor table of a GGUF file. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print a GGUF file's metadata and its tensors (name, type, shape, size).")
final class InfoCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE.gguf", description = "A GGUF file (language model or mmproj).")
    Path file;

    @Option(names = "--no-tensors", description = "Print the metadata only.")
    boolean noTensors;

    @Override
    public Integer call() {
        try (GGUFFile f = GGUFFile.open(file)) {
            System.out.printf("%s: GGUF v%d, %d metadata entries, %d tensors, %s, data at byte %d (alignment %d)%n",
                    file, f.version(), f.metadata().size(), f.tensors().size(), Sizes.bytes(f.fileSize()),
                    f.dataStart(), f.alignment());
            System.out.println();
            for (Map.Entry<String, Object> e : f.metadata().entrySet()) {
                System.out.printf("  %-44s %s%n", e.getKey(), show(e.getValue()));
            }
            if (!noTensors) {
                System.out.println();
                System.out.printf("  %-40s %-6s %-26s %12s  %s%n", "tensor", "type", "shape (ggml ne)", "size", "");
                for (GGUFTensorInfo t : f.tensors()) {
                    String note = WeightFormats.isSupported(t.type()) ? "" : "(type not supported for compute)";
                    System.out.printf("  %-40s %-6s %-26s %12s  %s%n", t.name(), t.type(), t.shapeString(),
                            Sizes.bytes(t.byteSize()), note);
                }
                System.out.println();
                System.out.println(TensorTypeSummary.of(f));
            }
        }
        return 0;
    }

    private static String show(Object v) {
        if (v instanceof String s) {
            String oneLine = s.replace("\n", "\\n");
            return oneLine.length() > 100 ? "\"" + oneLine.substring(0, 100) + "...\" (" + s.length() + " chars)" : "\"" + oneLine + "\"";
        }
        if (v instanceof GGUFArray a) {
            return a.toString();
        }
        return String.valueOf(v);
    }
}
