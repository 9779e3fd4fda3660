package io.github.tornadollava.tornado;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

import io.github.tornadollava.config.WorkGroupSizes;
import io.github.tornadollava.kernels.tornado.Grids;
import io.github.tornadollava.kernels.tornado.KernelConfig;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.WorkerGrid;

/**
 * The worker grids of one execution plan, built from the device's {@link WorkGroupSizes}.
 *
 * <p>A kernel's scalar arguments are fixed when its task is created, so the prefill graphs are
 * built for a full batch of {@code maxBatch} rows. What makes a short batch cheap is the grid:
 * grids registered with a {@code rowsPerToken} follow {@link #resizeBatch(int)}, which shrinks
 * them to the rows actually fed (TornadoVM reads a grid's global size at every launch). The
 * kernels guard with the full-batch size, so the few padding rows a rounded-up grid still covers
 * compute garbage that nothing reads (their cache writes go to scratch positions, see
 * {@link TornadoDecoder}).
 *
 * <p>The mat-mul's tile is fixed by {@link KernelConfig} (the kernel is register-blocked for
 * it), so the size table has no entry for it.
 */
final class LaunchGrids {

    private final GridScheduler scheduler = new GridScheduler();
    private final List<IntConsumer> batchResizers = new ArrayList<>();
    private final Map<String, Integer> tasksPerGraph = new HashMap<>();
    private final int matvec;
    private final int norm;
    private final int attention;
    private final int elementwise;

    LaunchGrids(WorkGroupSizes sizes) {
        // row kernels keep partial sums in local arrays of MAX_LOCAL floats
        this.matvec = Math.min(sizes.matvec(), KernelConfig.MAX_LOCAL);
        this.norm = Math.min(sizes.norm(), KernelConfig.MAX_LOCAL);
        this.attention = Math.min(sizes.attention(), KernelConfig.MAX_LOCAL);
        this.elementwise = sizes.elementwise();
    }

    GridScheduler scheduler() {
        return scheduler;
    }

    /**
     * Registers the grid of task {@code graph.task}. Every task of a plan registers exactly one,
     * so the registrations also count the tasks of each graph ({@link #tasks}); a name registered
     * twice would silently take the other task's grid, hence the check.
     */
    private void add(String task, WorkerGrid grid) {
        int dot = task.indexOf('.');
        if (dot < 1 || dot == task.length() - 1) {
            throw new IllegalArgumentException("a grid name is graph.task, got '" + task + "'");
        }
        if (scheduler.get(task) != null) {
            throw new IllegalArgumentException("the worker grid of task '" + task + "' is registered twice");
        }
        tasksPerGraph.merge(task.substring(0, dot), 1, Integer::sum);
        scheduler.addWorkerGrid(task, grid);
    }

    /** Tasks registered so far for graph {@code graph}. */
    int tasks(String graph) {
        return tasksPerGraph.getOrDefault(graph, 0);
    }

    /** Attention needs at least one thread per head dimension (each accumulates one output element). */
    private int attentionLocal(int headDim) {
        if (headDim > KernelConfig.MAX_HEAD_DIM) {
            throw new IllegalArgumentException("head dimension " + headDim + " exceeds the attention kernel's limit of " + KernelConfig.MAX_HEAD_DIM);
        }
        return Math.max(attention, Grids.localSizeFor(headDim));
    }

    /** One work-group per output row of a mat-vec. */
    void matVec(String task, int rows) {
        add(task, Grids.perRow(rows, matvec));
    }

    /** One work-group per row of a normalisation, {@code rows} fixed. */
    void norm(String task, int rows) {
        add(task, Grids.perRow(rows, norm));
    }

    /** One work-group per (query row, head), {@code rows} fixed. */
    void attention(String task, int rows, int heads, int headDim) {
        add(task, Grids.perRow(rows * heads, attentionLocal(headDim)));
    }

    /** One thread per element of {@code n}. */
    void elementwise(String task, int n) {
        add(task, Grids.elementwise(n, elementwise));
    }

    /** The tiled mat-mul over {@code tokens} rows. */
    void matMul(String task, int tokens, int rows) {
        add(task, Grids.matMul(tokens, rows));
    }

    /** A norm over the rows of the current batch. */
    void batchNorm(String task, int maxBatch) {
        WorkerGrid grid = Grids.perRow(maxBatch, norm);
        add(task, grid);
        batchResizers.add(n -> grid.setGlobalWork((long) n * norm, 1, 1));
    }

    /** Attention for the rows of the current batch. */
    void batchAttention(String task, int maxBatch, int heads, int headDim) {
        int local = attentionLocal(headDim);
        WorkerGrid grid = Grids.perRow(maxBatch * heads, local);
        add(task, grid);
        batchResizers.add(n -> grid.setGlobalWork((long) n * heads * local, 1, 1));
    }

    /** An element-wise kernel over {@code perRow} elements of each row of the current batch. */
    void batchElementwise(String task, int maxBatch, int perRow) {
        WorkerGrid grid = Grids.elementwise(maxBatch * perRow, elementwise);
        add(task, grid);
        batchResizers.add(n -> grid.setGlobalWork(roundUp((long) n * perRow, elementwise), 1, 1));
    }

    /** The mat-mul over the rows of the current batch: only the token tiles that hold them. */
    void batchMatMul(String task, int maxBatch, int rows) {
        WorkerGrid grid = Grids.matMul(maxBatch, rows);
        add(task, grid);
        long x = grid.getGlobalWork()[0];
        batchResizers.add(n -> grid.setGlobalWork(x, (long) ceilDiv(n, KernelConfig.TILE) * KernelConfig.TILE_THREADS, 1));
    }

    /** Sizes every batch grid for {@code rows} rows. */
    void resizeBatch(int rows) {
        for (IntConsumer r : batchResizers) {
            r.accept(rows);
        }
    }

    private static long roundUp(long n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    private static int ceilDiv(int n, int d) {
        return (n + d - 1) / d;
    }
}
