package io.github.tornadollava.kernels.tornado;

import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;

/** Worker grids matching the kernels' work-group conventions (see the package documentation). */
public final class Grids {

    /** Local size for element-wise kernels. */
    public static final int ELEMENTWISE_LOCAL = 256;

    private Grids() {
    }

    /**
     * {@code groups} work-groups of {@code localSize} threads, for the one-group-per-row kernels
     * ({@link MatVec}, {@link FusedMatVec}, {@link Norms}, {@link Softmax}, {@link Attention}).
     */
    public static WorkerGrid perRow(int groups, int localSize) {
        if (localSize <= 0 || localSize > KernelConfig.MAX_LOCAL || Integer.bitCount(localSize) != 1) {
            throw new IllegalArgumentException("local size must be a power of two <= " + KernelConfig.MAX_LOCAL + ": " + localSize);
        }
        WorkerGrid grid = new WorkerGrid1D(groups * localSize);
        grid.setLocalWork(localSize, 1, 1);
        return grid;
    }

    /** At least {@code n} threads in groups of {@code localSize}, for the element-wise kernels. */
    public static WorkerGrid elementwise(int n, int localSize) {
        WorkerGrid grid = new WorkerGrid1D(roundUp(n, localSize));
        grid.setLocalWork(localSize, 1, 1);
        return grid;
    }

    /** The 2-D grid of {@link MatMul}: dimension 0 over output rows, dimension 1 over tokens. */
    public static WorkerGrid matMul(int tokens, int rows) {
        int tilesX = (rows + KernelConfig.TILE - 1) / KernelConfig.TILE;
        int tilesY = (tokens + KernelConfig.TILE - 1) / KernelConfig.TILE;
        WorkerGrid grid = new WorkerGrid2D(tilesX * KernelConfig.TILE_THREADS, tilesY * KernelConfig.TILE_THREADS);
        grid.setLocalWork(KernelConfig.TILE_THREADS, KernelConfig.TILE_THREADS, 1);
        return grid;
    }

    /** Smallest power of two {@code >= n}, capped at {@link KernelConfig#MAX_LOCAL}: a row kernel's local size. */
    public static int localSizeFor(int n) {
        int size = 1;
        while (size < n && size < KernelConfig.MAX_LOCAL) {
            size <<= 1;
        }
        return size;
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
