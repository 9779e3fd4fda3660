package io.github.tornadollava.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Local work-group sizes for the TornadoVM kernels on one kind of device. The best values differ
 * between a GPU (wide work-groups, many of them) and an OpenCL CPU device such as PoCL (small
 * work-groups, one per core), so they are data, not constants in the kernels.
 *
 * @param matvec    threads per work-group for a matrix-vector row reduction (decode)
 * @param matmulTile edge of the square tile of the matrix-matrix kernel (prefill, ViT)
 * @param norm      threads per work-group for RMSNorm / LayerNorm / softmax row reductions
 * @param attention threads per work-group for one attention head
 * @param elementwise threads per work-group for element-wise kernels (activations, residual adds)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record WorkGroupSizes(
        @JsonProperty("matvec") int matvec,
        @JsonProperty("matmulTile") int matmulTile,
        @JsonProperty("norm") int norm,
        @JsonProperty("attention") int attention,
        @JsonProperty("elementwise") int elementwise) {

    public WorkGroupSizes {
        check("matvec", matvec);
        check("matmulTile", matmulTile);
        check("norm", norm);
        check("attention", attention);
        check("elementwise", elementwise);
    }

    private static void check(String name, int v) {
        if (v < 1 || v > 1024 || Integer.bitCount(v) != 1) {
            throw new IllegalArgumentException("work-group size '" + name + "' must be a power of two in 1..1024, got " + v);
        }
    }
}
