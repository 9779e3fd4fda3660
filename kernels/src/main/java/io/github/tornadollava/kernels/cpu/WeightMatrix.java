package io.github.tornadollava.kernels.cpu;

import java.lang.foreign.MemorySegment;

import io.github.tornadollava.kernels.format.GGMLType;
import io.github.tornadollava.kernels.format.QuantizedActivations;
import io.github.tornadollava.kernels.format.WeightFormat;
import io.github.tornadollava.kernels.format.WeightFormats;

/**
 * A weight matrix of {@code rows x cols} stored row-major in some ggml format, usually a slice of
 * a memory-mapped file (never copied to the heap). A PyTorch Linear(in, out) is stored with
 * ggml ne = [in, out], i.e. {@code cols = in}, {@code rows = out}: {@code y = W x} is one dot per row.
 */
public final class WeightMatrix {

    private final String name;
    private final WeightFormat format;
    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final long rowBytes;

    public WeightMatrix(String name, GGMLType type, MemorySegment data, int rows, int cols) {
        this.name = name;
        this.format = WeightFormats.of(type);
        if (cols % type.blockSize != 0) {
            throw new IllegalArgumentException(name + ": row length " + cols + " is not a multiple of the "
                    + type + " block size " + type.blockSize);
        }
        this.rowBytes = type.byteSize(cols);
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes cannot hold "
                    + rows + "x" + cols + " " + type);
        }
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    public String name() {
        return name;
    }

    public GGMLType type() {
        return format.type();
    }

    public WeightFormat format() {
        return format;
    }

    public MemorySegment data() {
        return data;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public long rowBytes() {
        return rowBytes;
    }

    /** Dot of row {@code row} with {@code x[xOffset .. xOffset+cols)}. */
    public float dotRow(int row, float[] x, int xOffset) {
        return format.dot(data, row * rowBytes, x, xOffset, cols);
    }

    /** Decodes row {@code row} into {@code out[outOffset .. outOffset+cols)}. */
    public void dequantizeRow(int row, float[] out, int outOffset) {
        format.dequantize(data, row * rowBytes, out, outOffset, cols);
    }

    /** Decodes the whole matrix to a new heap array (only for small tensors such as embeddings rows). */
    public float[] toFloatArray() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            dequantizeRow(r, out, r * cols);
        }
        return out;
    }

    /** {@code out[outOffset + r] = dot(row r, x[xOffset..])} for every row, in parallel. */
    public void matvec(float[] x, int xOffset, float[] out, int outOffset) {
        Parallel.forRange(rows, 16, (start, end) -> matvecRows(start, end, x, xOffset, out, outOffset));
    }

    /** As {@link #matvec(float[], int, float[], int)} with activations quantized to int8 blocks (llama.cpp's decode). */
    public void matvec(QuantizedActivations x, float[] out, int outOffset) {
        Parallel.forRange(rows, 16, (start, end) -> matvecRows(start, end, x, out, outOffset));
    }

    /**
     * {@code out[outOffset + r] = dot(row r, x[xOffset..])} for rows [start, end), on this thread:
     * the piece of a matvec that callers fusing several matrices into one parallel loop hand out.
     */
    public void matvecRows(int start, int end, float[] x, int xOffset, float[] out, int outOffset) {
        format.dotRows(data, start * rowBytes, rowBytes, end - start, x, xOffset, cols, out, outOffset + start);
    }

    /** As {@link #matvecRows(int, int, float[], int, float[], int)} with activations quantized to int8 blocks. */
    public void matvecRows(int start, int end, QuantizedActivations x, float[] out, int outOffset) {
        if (x.length() != cols) {
            throw new IllegalArgumentException(name + ": " + x.length() + " quantized activations for " + cols + " columns");
        }
        format.dotRows(data, start * rowBytes, rowBytes, end - start, x, cols, out, outOffset + start);
    }

    /**
     * Batched product for prefill and the ViT: {@code x} holds {@code nTokens} rows of {@code cols},
     * {@code out} receives {@code nTokens} rows of {@code rows}. Each weight row is decoded once per
     * batch and reused for every token, which is what makes prefill compute-bound rather than
     * memory-bound.
     */
    public void matmul(float[] x, int nTokens, float[] out) {
        MatMul.matmul(this, x, nTokens, out, null, false);
    }

    /** As {@link #matmul(float[], int, float[])} plus {@code bias[r]} on every output row (a Linear layer). */
    public void matmul(float[] x, int nTokens, float[] out, float[] bias) {
        MatMul.matmul(this, x, nTokens, out, bias, false);
    }

    /** {@code out += x W^T + bias} ({@code bias} may be null): a Linear layer added onto a residual stream. */
    public void matmulAdd(float[] x, int nTokens, float[] out, float[] bias) {
        MatMul.matmul(this, x, nTokens, out, bias, true);
    }
}
