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
 *
 * <p>A plan may serve several users (the decoder and the vision encoder of a multimodal plan):
 * each closes it once, and the last close frees the device memory.
 */
final class GraphPlan implements AutoCloseable {

    /**
     * TornadoVM emits each graph's bytecode into a buffer of this many bytes, sized once per JVM
     * from this system property when it compiles its first graph (default 4 KiB). A decoder graph
     * of eight layers ({@link DecoderGraphs}) needs about 10 KiB, so unless the user set it, it
     * is raised here, before any plan of this class compiles a graph. Set it yourself
     * (e.g. {@code -Dtornado.tvm.maxbytecodesize=262144}) if something else runs TornadoVM graphs
     * in the same JVM first; too small a buffer fails with TornadoVM's "Buffer Overflow" error.
     */
    static final String BYTECODE_SIZE_PROPERTY = "tornado.tvm.maxbytecodesize";
    static final int BYTECODE_SIZE = 256 * 1024;

    static {
        if (System.getProperty(BYTECODE_SIZE_PROPERTY) == null) {
            System.setProperty(BYTECODE_SIZE_PROPERTY, Integer.toString(BYTECODE_SIZE));
        }
    }

    private final TornadoExecutionPlan plan;
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final GridScheduler grids;
    private final DeviceProfile profile;
    private int users;

    /** @param profile where to add TornadoVM's profiler figures, or null not to profile */
    GraphPlan(List<TaskGraph> graphs, GridScheduler grids, TornadoDevice device, DeviceProfile profile) {
        this(graphs, grids, device, profile, 1);
    }

    /** A plan that {@code users} users close, each once. */
    GraphPlan(List<TaskGraph> graphs, GridScheduler grids, TornadoDevice device, DeviceProfile profile, int users) {
        if (users < 1) {
            throw new IllegalArgumentException("a plan needs at least one user, got " + users);
        }
        this.users = users;
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

    /** {@link #run}, then brings {@code toHost} (declared {@code UNDER_DEMAND} by the graph) to the host. */
    void runAndFetch(String name, Object... toHost) {
        TornadoExecutionResult result = execute(name);
        if (profile != null) {
            profile.add(result);
        }
        result.transferToHost(toHost);
    }

    /** Runs a graph while loading: its JIT compilation and weight upload stay out of the profile figures. */
    void warmUp(String name) {
        execute(name);
    }

    private TornadoExecutionResult execute(String name) {
        if (users == 0) {
            throw new IllegalStateException("the TornadoVM execution plan was closed");
        }
        Integer index = indexByName.get(name);
        if (index == null) {
            throw new IllegalStateException("no task graph '" + name + "' in this plan");
        }
        return plan.withGraph(index).withGridScheduler(grids).execute();
    }

    /** Called once by each user; the last one frees the device memory. */
    @Override
    public void close() {
        if (users == 0 || --users > 0) {
            return;
        }
        try {
            plan.freeDeviceMemory();
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("releasing the TornadoVM execution plan failed", e);
        }
    }
}
