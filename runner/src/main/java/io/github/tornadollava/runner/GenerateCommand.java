package io.github.tornadollava.runner;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.github.tornadollava.image.ImageMode;
import io.github.tornadollava.llama.GenerationResult;
import io.github.tornadollava.llama.Generator;
import io.github.tornadollava.prompt.ChatTemplate;
import io.github.tornadollava.sampling.Sampler;
import io.github.tornadollava.tokenizer.TokenDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code llava generate}: one prompt (with images, if any) in, the answer streamed out. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Answer a prompt, optionally about images, streaming the text as it is generated.")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions models;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT",
            description = "The question. Use <image> to place images; without it images go first.")
    String prompt;

    @Option(names = {"-i", "--image"}, paramLabel = "FILE", description = "An image (PNG, JPEG, BMP, GIF, WebP); repeat for several.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--template", defaultValue = "llava-1.5", paramLabel = "llava-1.5|vicuna|none",
            description = "Prompt template. Default: ${DEFAULT-VALUE}.")
    String template;

    @Option(names = "--image-mode", defaultValue = "pad", paramLabel = "pad|crop",
            description = "pad: LLaVA-1.5's pad to square (default); crop: HF CLIPImageProcessor's resize + centre crop.")
    String imageMode;

    @Option(names = "--json", description = "Print one JSON object (prompt_tokens, tokens, text, timings) instead of streaming.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress or timings on stderr.")
    boolean quiet;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    BackendOptions backend;

    @Override
    public Integer call() throws Exception {
        ChatTemplate tpl = ChatTemplate.fromId(template);
        ImageMode mode = ImageModes.parse(imageMode);
        String rendered = tpl.render(prompt, images.size()); // placeholder count checked before loading
        var params = sampling.params();
        Progress progress = new Progress(quiet || json);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (Engines engines = Engines.open(backend, models.model, models.mmproj, models.contextSize, false, progress)) {
            PromptAssembler.Assembled input = new PromptAssembler(engines, progress).assemble(rendered, images, mode, true, 0);
            Generator generator = new Generator(engines.languageModel());
            Sampler sampler = new Sampler(params, engines.languageModel().config().vocabSize());
            TokenDecoder decoder = engines.tokenizer().newDecoder();
            StringBuilder text = new StringBuilder();
            int[] stop = sampling.ignoreEos ? new int[0] : new int[] {engines.tokenizer().eos()};
            GenerationResult r = generator.generate(input.segments(), sampler, sampling.nPredict, stop, token -> {
                String piece = decoder.push(token);
                text.append(piece);
                if (!json) {
                    out.print(piece);
                    out.flush();
                }
                return true;
            });
            String tail = decoder.flush();
            text.append(tail);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("prompt_tokens", input.textIds());
                o.put("prompt_positions", r.promptPositions());
                o.put("images", images.size());
                o.put("tokens", r.generatedIds());
                o.put("text", text.toString());
                o.put("stop_reason", r.stopReason().name().toLowerCase());
                o.put("timings", Timings.of(r, input.imageEncodeMs()));
                out.println(Json.MAPPER.writeValueAsString(o));
            } else {
                out.println(tail);
                if (!quiet) {
                    System.err.println(Timings.line(r, input.imageEncodeMs(), engines.description()));
                }
            }
        }
        return 0;
    }
}
