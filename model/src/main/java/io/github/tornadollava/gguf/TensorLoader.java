package io.github.tornadollava.gguf;

import java.util.Arrays;

import io.github.tornadollava.kernels.cpu.WeightMatrix;
import io.github.tornadollava.kernels.format.WeightFormats;

/**
 * Fetches named tensors from a {@link GGUFFile} with the shape the model expects, so a wrong
 * checkpoint fails at load time with the file, the tensor and both shapes in the message.
 */
public final class TensorLoader {

    private final GGUFFile file;

    public TensorLoader(GGUFFile file) {
        this.file = file;
    }

    public GGUFFile file() {
        return file;
    }

    public boolean has(String name) {
        return file.findTensor(name).isPresent();
    }

    /** A matrix used as {@code y = W x} with {@code x} of length {@code cols}: ggml ne = [cols, rows]. */
    public WeightMatrix matrix(String name, int rows, int cols) {
        GGUFTensorInfo t = checked(name, cols, rows);
        if (!WeightFormats.isSupported(t.type())) {
            throw new GGUFException(file.path(), "tensor '" + name + "' has type " + t.type() + ", which this engine cannot compute with");
        }
        try {
            return new WeightMatrix(name, t.type(), file.tensorData(t), rows, cols);
        } catch (IllegalArgumentException e) {
            throw new GGUFException(file.path(), e.getMessage(), e);
        }
    }

    /** A tensor of {@code n} values decoded to the heap (norm weights, biases, small embeddings). */
    public float[] vector(String name, long... ne) {
        GGUFTensorInfo t = checked(name, ne);
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new GGUFException(file.path(), "tensor '" + name + "' is too large to decode to the heap");
        }
        if (!WeightFormats.isSupported(t.type())) {
            throw new GGUFException(file.path(), "tensor '" + name + "' has type " + t.type() + ", which this engine cannot decode");
        }
        float[] out = new float[(int) n];
        WeightFormats.of(t.type()).dequantize(file.tensorData(t), 0, out, 0, (int) n);
        return out;
    }

    /** The tensor's descriptor after checking its shape: trailing 1s in either shape are ignored. */
    public GGUFTensorInfo checked(String name, long... expectedNe) {
        GGUFTensorInfo t = file.tensor(name);
        int dims = Math.max(t.dims(), expectedNe.length);
        for (int i = 0; i < dims; i++) {
            long want = i < expectedNe.length ? expectedNe[i] : 1;
            if (t.ne(i) != want) {
                throw new GGUFException(file.path(), "tensor '" + name + "' has shape " + t.shapeString()
                        + ", expected " + Arrays.toString(expectedNe));
            }
        }
        return t;
    }
}
