package io.github.tornadollava.runner;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.vision.VisionEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code llava bench}: throughput in the style of llama-bench. {@code pp N} prefills N random
 * tokens into an empty context as one batch; {@code tg N} decodes N tokens one at a time from an
 * empty context; with {@code --mmproj} it also times one image encode (ViT + projector). Each is
 * repeated and reported as mean ± standard deviation. With {@code -d D} both start from a context
 * already holding D tokens, as llama-bench's {@code -d}: a LLaVA answer is decoded after the 576
 * image positions and the prompt, where attention reads a KV cache of that length at every step.
 *
 * <p>Beside tokens per second each row gives a rate to set against the machine's limits
 * ({@link WorkCost}): prefill and the image encode in GFLOP/s (against the FMA peak), decode in GB/s
 * of weights read (against the memory bandwidth).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prompt processing (pp), generation (tg) and image encoding speed.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, paramLabel = "LM.gguf", description = "Language-model GGUF.")
    Path model;

    @Option(names = "--mmproj", paramLabel = "MM.gguf", description = "Also time one image encode with this mmproj.")
    Path mmproj;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "64", description = "Prompt tokens per pp run (0 = skip). Default: ${DEFAULT-VALUE}.")
    int nPrompt;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "32", description = "Generated tokens per tg run (0 = skip). Default: ${DEFAULT-VALUE}.")
    int nGen;

    @Option(names = {"-d", "--n-depth"}, defaultValue = "0",
            description = "Tokens already in the context when each pp and tg run starts (prefilled once, untimed; "
                    + "llama-bench's -d). Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "3", description = "Runs of each test. Default: ${DEFAULT-VALUE}.")
    int reps;

    @Option(names = "--warmup", defaultValue = "1",
            description = "Untimed runs first: at least this many, then more until two in a row leave the JIT idle (at most "
                    + MAX_WARMUP + " in all; 0 = none). Default: ${DEFAULT-VALUE}.")
    int warmup;

    /** Cap on warm-up runs, for a JIT that never goes quiet. */
    static final int MAX_WARMUP = 20;

    /** A row's work per run for its rate: flops (pp, image) or weight bytes (tg). */
    private record Work(double amount, boolean bytes) {
    }

    /** The JSON key stem of a row's rate: {@code _mean} and {@code _sd} follow it. */
    private static String rateKey(boolean bytes) {
        return bytes ? "weight_gb_per_second" : "gflops_per_second";
    }

    /** The timed runs of one test, and how many warm-up runs preceded them. */
    private record Measured(double[] secs, int warmupRuns) {
    }

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Option(names = "--profile", description = "With --backend tornado: also report TornadoVM's kernel and transfer times.")
    boolean profile;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N",
            description = "KV-cache positions to allocate (default: what the pp and tg runs need), to see the memory a longer context takes.")
    Integer contextSize;

    @Mixin
    BackendOptions backend;

    @Override
    public Integer call() throws Exception {
        if (model == null && mmproj == null) {
            throw new IllegalArgumentException("give --model (pp/tg) and/or --mmproj (image encode)");
        }
        if (reps < 1) {
            throw new IllegalArgumentException("--repetitions must be >= 1");
        }
        if (depth < 0) {
            throw new IllegalArgumentException("--n-depth must be >= 0");
        }
        backend.apply();
        int needed = depth + Math.max(nPrompt, nGen) + 1;
        if (contextSize != null && contextSize < needed) {
            throw new IllegalArgumentException("--ctx-size " + contextSize + " is smaller than the " + needed + " positions the runs need");
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Engines engines = Engines.open(backend, model, mmproj, contextSize != null ? contextSize : needed, profile)) {
            if (engines.languageModel() != null) {
                LanguageModel lm = engines.languageModel();
                String name = model.getFileName().toString();
                WorkCost cost = WorkCost.ofLanguageModel(engines.languageModelFile());
                String at = depth > 0 ? " @ d" + depth : "";
                if (depth > 0 && (nPrompt > 0 || nGen > 0)) {
                    fillContext(lm);
                }
                if (nPrompt > 0) {
                    rows.add(row(name, "pp" + nPrompt + at, nPrompt, measure(() -> prefill(lm, nPrompt)), engines,
                            new Work(cost.prefillFlops(lm.config(), nPrompt, depth), false)));
                }
                if (nGen > 0) {
                    rows.add(row(name, "tg" + nGen + at, nGen, measure(() -> decode(lm, nGen)), engines,
                            new Work((double) nGen * cost.decodeBytesPerToken(), true)));
                }
            }
            if (engines.visionEncoder() != null) {
                VisionEncoder ve = engines.visionEncoder();
                int s = ve.config().imageSize();
                float[] pixels = new float[3 * s * s];
                SplittableRandom rnd = new SplittableRandom(1);
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (float) rnd.nextDouble(-1.8, 2.2);
                }
                rows.add(row(mmproj.getFileName().toString(), "image " + s + "px", 1, measure(() -> ve.encode(pixels)), engines,
                        new Work(WorkCost.imageFlops(engines.mmprojFile(), ve.config()), false)));
            }
        }
        print(rows, MemoryUse.now());
        return 0;
    }

    /** The {@code depth} positions every run starts from: random tokens, prefilled once; runs truncate back to them. */
    private void fillContext(LanguageModel lm) {
        System.err.printf(Locale.ROOT, "filling the context with %d tokens...%n", depth);
        prefillRandom(lm, depth, 7, 0);
    }

    private void prefill(LanguageModel lm, int n) {
        prefillRandom(lm, n, 42, depth);
    }

    /** Random tokens at positions {@code from..from+n), after forgetting any from there on. */
    private static void prefillRandom(LanguageModel lm, int n, long seed, int from) {
        int dim = lm.config().dim();
        float[] emb = new float[n * dim];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            lm.embed(rnd.nextInt(lm.config().vocabSize()), emb, i * dim);
        }
        lm.truncate(from);
        lm.forward(emb, n, from);
    }

    private void decode(LanguageModel lm, int n) {
        int dim = lm.config().dim();
        float[] emb = new float[dim];
        lm.truncate(depth);
        int token = 1;
        for (int pos = depth; pos < depth + n; pos++) {
            lm.embed(token, emb, 0);
            float[] logits = lm.forward(emb, 1, pos);
            token = argmax(logits);
        }
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Warms up, then times {@code reps} runs. One warm-up run is not enough for the big integer
     * kernels: on 2 cores C2 was still compiling the K-quant dots after it (a 1B Q4_K_M model
     * measured 30-57 tok/s pp64 and 10-12 tok/s tg32 after one warm-up run, 67 and 16.6 after six).
     * So after {@code --warmup} runs it keeps warming up until the JIT spent at most 2% of two runs
     * in a row compiling: the figures are steady-state ones, as llama-bench's are for native code.
     */
    private Measured measure(Runnable r) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitTime = jit != null && jit.isCompilationTimeMonitoringSupported();
        int runs = 0;
        int quiet = 0;
        // a compilation counts when it finishes, so one quiet run can hide a long one in flight:
        // stop after two in a row
        while (runs < warmup || (runs > 0 && jitTime && quiet < 2 && runs < MAX_WARMUP)) {
            long c0 = jitTime ? jit.getTotalCompilationTime() : 0;
            long t0 = System.nanoTime();
            r.run();
            runs++;
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            quiet = jitTime && jit.getTotalCompilationTime() - c0 <= wallMs / 50 ? quiet + 1 : 0;
        }
        double[] secs = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            secs[i] = (System.nanoTime() - t0) / 1e9;
        }
        return new Measured(secs, runs);
    }

    private Map<String, Object> row(String model, String test, int items, Measured measured, Engines engines, Work work) {
        double[] secs = measured.secs();
        double[] rate = new double[secs.length];
        double[] giga = new double[secs.length];
        for (int i = 0; i < secs.length; i++) {
            rate[i] = items / secs[i];
            giga[i] = work.amount() / secs[i] / 1e9;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("backend", engines.description());
        m.put("threads", io.github.tornadollava.kernels.cpu.Parallel.threads());
        m.put("test", test);
        m.put("tokens_per_second_mean", Stats.mean(rate));
        m.put("tokens_per_second_sd", Stats.sd(rate));
        m.put("seconds_mean", Stats.mean(secs));
        m.put("seconds_sd", Stats.sd(secs));
        m.put(rateKey(work.bytes()) + "_mean", Stats.mean(giga));
        m.put(rateKey(work.bytes()) + "_sd", Stats.sd(giga));
        m.put("repetitions", secs.length);
        m.put("warmup_runs", measured.warmupRuns());
        if (profile) {
            m.put("profile", engines.profileSummary());
        }
        return m;
    }

    private void print(List<Map<String, Object>> rows, MemoryUse memory) throws Exception {
        if (json) {
            for (Map<String, Object> r : rows) {
                r.put("peak_rss_bytes", memory.peakRssBytes());
                r.put("peak_heap_used_bytes", memory.peakHeapUsedBytes());
            }
            System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(rows));
            return;
        }
        System.out.printf("| %-34s | %-22s | %7s | %-12s | %22s | %18s | %22s |%n", "model", "backend", "threads", "test", "t/s", "seconds", "rate");
        System.out.printf("|%s|%s|%s|%s|%s|%s|%s|%n", "-".repeat(36), "-".repeat(24), "-".repeat(9), "-".repeat(14), "-".repeat(24), "-".repeat(20),
                "-".repeat(24));
        for (Map<String, Object> r : rows) {
            boolean image = ((String) r.get("test")).startsWith("image");
            boolean bytes = r.containsKey(rateKey(true) + "_mean");
            String unit = rateKey(bytes);
            System.out.printf(Locale.ROOT, "| %-34s | %-22s | %7s | %-12s | %22s | %18s | %22s |%n", r.get("model"), r.get("backend"), r.get("threads"), r.get("test"),
                    image ? "" : String.format(Locale.ROOT, "%.2f ± %.2f", r.get("tokens_per_second_mean"), r.get("tokens_per_second_sd")),
                    String.format(Locale.ROOT, "%.3f ± %.3f", r.get("seconds_mean"), r.get("seconds_sd")),
                    String.format(Locale.ROOT, "%.1f ± %.1f %s", r.get(unit + "_mean"), r.get(unit + "_sd"), bytes ? "GB/s" : "GFLOP/s"));
            if (r.get("profile") != null) {
                System.out.println("    " + r.get("profile"));
            }
        }
        if (!rows.isEmpty()) {
            System.out.println("warm-up runs (until the JIT was quiet): " + rows.stream()
                    .map(r -> r.get("test") + " " + r.get("warmup_runs")).collect(Collectors.joining(", ")));
        }
        System.out.println(memory);
    }
}
