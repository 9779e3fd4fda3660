package io.github.tornadollava.bench.tornado;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import io.github.tornadollava.config.DeviceSelection;
import io.github.tornadollava.config.TornadoLaunchConfig;
import io.github.tornadollava.config.WorkGroupSizes;
import io.github.tornadollava.kernels.cpu.Parallel;
import io.github.tornadollava.kernels.tornado.Fp16Support;
import io.github.tornadollava.kernels.tornado.KernelConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Runs every TornadoVM kernel and the CPU kernel it replaces on the same inputs and LLaVA shapes
 * (see {@link Cases}) and prints one table: CPU time, device kernel time (TornadoVM's profiler),
 * device wall time of one execution, the speed-ups, and how far the device result is from the
 * CPU's. Launch with {@code benchmarks/kernels.sh}, which adds the SDK's argfile.
 *
 * <p>Device time excludes JIT compilation and uploads: the first execution compiles the kernel
 * and uploads the inputs (once, as the backend uploads weights once), its output is the one
 * checked, and the timed executions that follow launch the kernel alone (output left on the
 * device). Wall time is {@code execute()} as the backend calls it, so it includes TornadoVM's
 * dispatch overhead, which is what a one-token decode step pays per kernel.
 */
@Command(name = "kernels.sh", mixinStandardHelpOptions = true,
        description = "Compares each TornadoVM kernel with the CPU kernel on LLaVA shapes and prints one table.")
public final class KernelComparison implements Callable<Integer> {

    /** Largest max|diff| / max|cpu| taken as agreement: float sums in a different order, F16/Q8 decoded alike on both sides. */
    static final double TOLERANCE = 1e-3;

    @Option(names = "--quick", description = "One shape per kernel and format, few iterations (for a CPU OpenCL device such as PoCL).")
    boolean quick;

    @Option(names = "--iterations", description = "Timed runs per side (default: ${DEFAULT-VALUE}; 3 with --quick).", defaultValue = "20")
    int iterations;

    @Option(names = "--warmup", description = "Untimed runs per side before timing (default: ${DEFAULT-VALUE}; 0 with --quick).", defaultValue = "5")
    int warmup;

    @Option(names = "--max-seconds", paramLabel = "S", description = "Stop timing a side after 2 runs once its timed runs took S seconds (0: no limit; 4 with --quick).")
    double maxSeconds;

    @Option(names = "--only", paramLabel = "REGEX", description = "Only rows whose 'kernel shape format' matches (case-insensitive find).")
    String only;

    @Option(names = "--device", paramLabel = "N|B:D", description = "TornadoVM device (as `llava devices` numbers them, or backend:device); default TornadoVM's.")
    String device;

    @Option(names = "--tornado-config", paramLabel = "FILE", description = "Work-group size table (default: the built-in workgroups.json).")
    Path config;

    @Option(names = "--list", description = "Print the rows that would run, and exit.")
    boolean list;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KernelComparison()).execute(args));
    }

    @Override
    public Integer call() {
        if (quick) {
            // the first run of each side (JIT, upload, the checked result) already warms it up
            iterations = Math.min(iterations, 3);
            warmup = 0;
            if (maxSeconds == 0) {
                maxSeconds = 4; // PoCL needs seconds per ViT-sized mat-mul: keep --quick within a few minutes
            }
        }
        if (iterations < 1 || warmup < 0) {
            throw new IllegalArgumentException("--iterations must be >= 1 and --warmup >= 0");
        }
        TornadoDevice dev = selectDevice(device);
        String description = dev.getPhysicalDevice().getDeviceName() + " (" + dev.getPlatformName() + ") " + dev.getDeviceType();
        WorkGroupSizes sizes = TornadoLaunchConfig.resolve(config).sizesFor(description);
        Cases.Local local = new Cases.Local(Math.min(sizes.matvec(), KernelConfig.MAX_LOCAL), Math.min(sizes.norm(), KernelConfig.MAX_LOCAL),
                Math.min(sizes.attention(), KernelConfig.MAX_LOCAL), sizes.elementwise());

        Pattern filter = only == null ? null : Pattern.compile(only, Pattern.CASE_INSENSITIVE);
        List<Cases.Spec> specs = new ArrayList<>();
        for (Cases.Spec s : Cases.all(local, Fp16Support.nativeHalf(dev))) {
            if ((!quick || s.quick()) && (filter == null || filter.matcher(s.label()).find())) {
                specs.add(s);
            }
        }
        System.out.printf(Locale.ROOT, "device: %s, %s (backend %s); CPU: %d threads; local sizes %s; %d warm-up + %d timed runs per side%s%n",
                dev.getPhysicalDevice().getDeviceName(), dev.getPlatformName(), dev.getTornadoVMBackend(), Parallel.threads(), local, warmup, iterations,
                maxSeconds > 0 ? String.format(Locale.ROOT, " (at least 2 once a side took %.0f s)", maxSeconds) : "");
        if (list) {
            specs.forEach(s -> System.out.println(s.label()));
            return 0;
        }
        Table table = new Table();
        int failures = 0;
        for (Cases.Spec spec : specs) {
            Table.Row row;
            try {
                row = measure(spec, dev);
            } catch (RuntimeException | LinkageError e) {
                row = Table.Row.failed(spec, e);
            }
            if (!row.agrees()) {
                failures++;
            }
            table.print(row);
        }
        System.out.printf(Locale.ROOT, "%d rows, %d disagreeing or failed (tolerance: max|diff| <= %.0e * max|cpu|)%n", specs.size(), failures, TOLERANCE);
        return failures == 0 ? 0 : 1;
    }

    private Table.Row measure(Cases.Spec spec, TornadoDevice dev) {
        Comparison c = spec.prepare().get();

        Comparison.Cpu cpu = c.cpu();
        cpu.reset().run();
        cpu.run().run();
        float[] expected = cpu.output().clone();
        for (int i = 0; i < warmup; i++) {
            cpu.reset().run();
            cpu.run().run();
        }
        Samples cpuTimes = new Samples(iterations);
        long spent = 0;
        for (int i = 0; i < iterations && !overBudget(i, spent); i++) {
            cpu.reset().run();
            long t0 = System.nanoTime();
            cpu.run().run();
            long t = System.nanoTime() - t0;
            cpuTimes.add(t);
            spent += t;
        }

        Comparison.Device d = c.device();
        GridScheduler grids = new GridScheduler();
        grids.addWorkerGrid(d.graph().getTaskGraphName() + ".t", d.grid());
        Samples wall = new Samples(iterations);
        Samples kernel = new Samples(iterations);
        float[] actual;
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(d.graph().snapshot())) {
            plan.withDevice(dev).withGridScheduler(grids).withProfiler(ProfilerMode.SILENT);
            TornadoExecutionResult first = plan.execute();
            first.transferToHost(d.output());
            actual = d.output().toHeapArray();
            for (int i = 0; i < warmup; i++) {
                plan.execute();
            }
            spent = 0;
            for (int i = 0; i < iterations && !overBudget(i, spent); i++) {
                long t0 = System.nanoTime();
                TornadoExecutionResult r = plan.execute();
                long t = System.nanoTime() - t0;
                wall.add(t);
                spent += t;
                kernel.add(r.getProfilerResult().getDeviceKernelTime());
            }
            plan.freeDeviceMemory();
        } catch (Exception e) {
            throw new IllegalStateException("TornadoVM execution failed: " + e.getMessage(), e);
        }
        return Table.Row.measured(spec, cpuTimes, kernel, wall, expected, actual);
    }

    /** After at least two timed runs (so there is a spread), whether a side has used its --max-seconds. */
    private boolean overBudget(int runs, long spentNanos) {
        return maxSeconds > 0 && runs >= 2 && spentNanos > maxSeconds * 1e9;
    }

    private static TornadoDevice selectDevice(String spec) {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        if (spec == null || spec.isBlank()) {
            return runtime.getDefaultDevice();
        }
        DeviceSelection sel = DeviceSelection.parse(spec);
        int n = 0;
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            for (int d = 0; d < runtime.getBackend(b).getNumDevices(); d++, n++) {
                if (sel.flat() ? n == sel.device() : b == sel.backend() && d == sel.device()) {
                    return runtime.getBackend(b).getDevice(d);
                }
            }
        }
        throw new IllegalArgumentException("--device " + spec + ": no such TornadoVM device (" + n + " found)");
    }
}
