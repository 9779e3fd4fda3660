package io.github.tornadollava.kernels.tornado;

/** Compile-time sizes shared by the kernels and the grids that launch them. */
public final class KernelConfig {

    /**
     * Capacity of the per-work-group local arrays used by the row kernels; the local size of
     * such a kernel must be a power of two no larger than this.
     */
    public static final int MAX_LOCAL = 256;

    /** Largest head dimension the attention kernels keep in local memory. */
    public static final int MAX_HEAD_DIM = 256;

    /** Threads along each side of a mat-mul work-group. */
    public static final int TILE_THREADS = 16;

    /** Outputs per thread along each side of the mat-mul tile (register blocking). */
    public static final int TILE_WORK = 4;

    /** Side of the output tile one mat-mul work-group computes (tokens and rows). */
    public static final int TILE = TILE_THREADS * TILE_WORK;

    /** Depth of the slice of the reduction dimension staged in local memory per step. */
    public static final int TILE_K = 16;

    /** Values per Q8_0 block (one scale each). */
    public static final int Q8_BLOCK = 32;

    private KernelConfig() {
    }
}
