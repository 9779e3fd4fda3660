package io.github.tornadollava.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Local work-group sizes for the TornadoVM kernels on one kind of device. The best values differ
 * between a GPU (wide work-groups, many of them) and an OpenCL CPU device such as PoCL (small
 * work-groups, one per core), so they are data, not constants in the kernels.
 *
 * <p>The tiled mat-mul (prefill, ViT) has no entry: its work-group is fixed at 16x16 threads, each
 * computing a 4x4 register block of a 64x64 output tile from 16-deep slices staged in local memory.
 * That tile is compiled into the kernel (TornadoVM sizes local arrays from compile-time constants,
 * and the staging indexing and the 16 unrolled accumulators are written for it), so a size from
 * this table could not change it; a table that still sets {@code matmulTile} is refused.
 *
 * @param matvec    threads per work-group for a matrix-vector row reduction (decode)
 * @param norm      threads per work-group for RMSNorm / LayerNorm / softmax row reductions
 * @param attention threads per work-group for one attention head
 * @param elementwise threads per work-group for element-wise kernels (activations, residual adds)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record WorkGroupSizes(
        @JsonProperty("matvec") int matvec,
        @JsonProperty("norm") int norm,
        @JsonProperty("attention") int attention,
        @JsonProperty("elementwise") int elementwise) {

    public WorkGroupSizes {
        check("matvec", matvec);
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
