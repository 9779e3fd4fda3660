package io.github.tornadollava.bench.tornado;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * One kernel on one shape, prepared on both sides with the same inputs.
 *
 * @param cpu    the CPU kernel
 * @param device the TornadoVM kernel
 */
record Comparison(Cpu cpu, Device device) {

    /**
     * The CPU side. {@code reset} restores the inputs of an in-place kernel (activations, softmax,
     * RoPE) and runs untimed before every timed {@code run}, so every run sees the same data;
     * {@code output} holds the result after a run.
     */
    record Cpu(Runnable reset, Runnable run, float[] output) {

        Cpu(Runnable run, float[] output) {
            this(() -> { }, run, output);
        }
    }

    /**
     * The device side: a graph with one task named {@code t} that uploads its inputs on the first
     * execution only and leaves {@code output} on the device until asked for (so a timed execution
     * is the launch alone), and that task's worker grid.
     */
    record Device(TaskGraph graph, WorkerGrid grid, FloatArray output) {
    }
}
