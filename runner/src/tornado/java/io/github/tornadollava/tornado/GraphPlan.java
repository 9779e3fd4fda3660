package io.github.tornadollava.tornado;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/**
 * One TornadoVM execution plan over named task graphs, run one graph at a time.
 *
 * <p>Graphs of one plan pass device buffers to each other with
 * {@code persistOnDevice}/{@code consumeFromDevice}. TornadoVM hands a consumed buffer over
 * only from the graph that ran immediately before (it looks the consumed objects up under that
 * graph's name), so the callers order their runs so that every graph's predecessor is one it
 * names as a source.
 */
final class GraphPlan implements AutoCloseable {

    private final TornadoExecutionPlan plan;
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final GridScheduler grids;
    private final DeviceProfile profile;

    /** @param profile where to add TornadoVM's profiler figures, or null not to profile */
    GraphPlan(List<TaskGraph> graphs, GridScheduler grids, TornadoDevice device, DeviceProfile profile) {
        ImmutableTaskGraph[] snapshots = new ImmutableTaskGraph[graphs.size()];
        for (int i = 0; i < snapshots.length; i++) {
            snapshots[i] = graphs.get(i).snapshot();
            indexByName.put(graphs.get(i).getTaskGraphName(), i);
        }
        this.plan = new TornadoExecutionPlan(snapshots);
        this.grids = grids;
        this.profile = profile;
        plan.withDevice(device);
        if (profile != null) {
            plan.withProfiler(ProfilerMode.SILENT);
        }
    }

    /** Runs the graph called {@code name} on the plan's device. */
    void run(String name) {
        TornadoExecutionResult result = execute(name);
        if (profile != null) {
            profile.add(result);
        }
    }

    /** Runs a graph while loading: its JIT compilation and weight upload stay out of the profile figures. */
    void warmUp(String name) {
        execute(name);
    }

    private TornadoExecutionResult execute(String name) {
        Integer index = indexByName.get(name);
        if (index == null) {
            throw new IllegalStateException("no task graph '" + name + "' in this plan");
        }
        return plan.withGraph(index).withGridScheduler(grids).execute();
    }

    @Override
    public void close() {
        try {
            plan.freeDeviceMemory();
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("releasing the TornadoVM execution plan failed", e);
        }
    }
}
