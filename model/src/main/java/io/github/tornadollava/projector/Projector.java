package io.github.tornadollava.projector;

import io.github.tornadollava.gguf.GGUFException;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.GGUFTensorInfo;
import io.github.tornadollava.gguf.TensorLoader;
import io.github.tornadollava.kernels.cpu.Activations;
import io.github.tornadollava.kernels.cpu.Parallel;
import io.github.tornadollava.kernels.cpu.WeightMatrix;

/**
 * LLaVA's multimodal projector on the CPU: maps the ViT's patch features into the language
 * model's embedding space, one row per image token.
 *
 * <ul>
 * <li>{@link ProjectorType#MLP} (LLaVA-1.5, HF {@code LlavaMultiModalProjector}):
 *     {@code mm.2(gelu(mm.0(x)))} with exact erf GELU ({@code projector_hidden_act="gelu"});</li>
 * <li>{@link ProjectorType#LINEAR} (LLaVA v1): {@code mm.0(x)}.</li>
 * </ul>
 *
 * The weights stay in the mmproj's memory mapping; widths come from the tensor shapes.
 */
public final class Projector {

    private final ProjectorType type;
    private final WeightMatrix first;
    private final float[] firstBias;
    private final WeightMatrix second;
    private final float[] secondBias;

    private Projector(ProjectorType type, WeightMatrix first, float[] firstBias, WeightMatrix second, float[] secondBias) {
        this.type = type;
        this.first = first;
        this.firstBias = firstBias;
        this.second = second;
        this.secondBias = secondBias;
    }

    /**
     * Loads the projector of {@code type} taking rows of {@code inputDim} (the ViT width).
     */
    public static Projector load(GGUFFile file, ProjectorType type, int inputDim) {
        TensorLoader t = new TensorLoader(file);
        int hidden = outputWidth(file, "mm.0.weight");
        WeightMatrix mm0 = t.matrix("mm.0.weight", hidden, inputDim);
        float[] b0 = t.vector("mm.0.bias", hidden);
        return switch (type) {
            case LINEAR -> new Projector(type, mm0, b0, null, null);
            case MLP -> {
                if (t.has("mm.3.weight")) {
                    // llama.cpp's "Yi-type" LLaVA (mm.0, GELU, mm.2, LayerNorm mm.3/mm.4) reuses the "mlp" name.
                    throw new GGUFException(file.path(), "projector 'mlp' with an mm.3 tensor is the Yi-style MLP+LayerNorm projector, which is not supported");
                }
                int out = outputWidth(file, "mm.2.weight");
                yield new Projector(type, mm0, b0, t.matrix("mm.2.weight", out, hidden), t.vector("mm.2.bias", out));
            }
        };
    }

    /** ne[1] of a 2-D weight (its output width); the full shape is checked by {@link TensorLoader#matrix}. */
    private static int outputWidth(GGUFFile file, String name) {
        GGUFTensorInfo info = file.tensor(name);
        if (info.dims() != 2 || info.ne(1) <= 0 || info.ne(1) > Integer.MAX_VALUE - 8) {
            throw new GGUFException(file.path(), "tensor '" + name + "' has shape " + info.shapeString() + ", expected a 2-D [in, out] matrix");
        }
        return (int) info.ne(1);
    }

    public ProjectorType type() {
        return type;
    }

    public int inputDim() {
        return first.cols();
    }

    /** The language model's embedding width these rows are meant for. */
    public int outputDim() {
        return second != null ? second.rows() : first.rows();
    }

    /**
     * @param features {@code nRows} rows of {@link #inputDim()}
     * @return {@code nRows} rows of {@link #outputDim()}
     */
    public float[] forward(float[] features, int nRows) {
        if ((long) nRows * inputDim() != features.length) {
            throw new IllegalArgumentException("expected " + nRows + " x " + inputDim() + " features, got " + features.length + " floats");
        }
        int hidden = first.rows();
        float[] h = new float[nRows * hidden];
        first.matmul(features, nRows, h, firstBias);
        if (second == null) {
            return h;
        }
        Parallel.forRange(nRows, 4, (start, end) -> {
            for (int r = start; r < end; r++) {
                Activations.gelu(h, r * hidden, hidden);
            }
        });
        float[] y = new float[nRows * second.rows()];
        second.matmul(h, nRows, y, secondBias);
        return y;
    }
}
