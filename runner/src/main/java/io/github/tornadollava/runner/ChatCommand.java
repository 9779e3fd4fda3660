package io.github.tornadollava.runner;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.github.tornadollava.image.ImageMode;
import io.github.tornadollava.llama.GenerationResult;
import io.github.tornadollava.llama.Generator;
import io.github.tornadollava.llama.Segment;
import io.github.tornadollava.prompt.ChatTemplate;
import io.github.tornadollava.sampling.Sampler;
import io.github.tornadollava.tokenizer.TokenDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code llava chat}: a multi-turn conversation. Earlier turns stay in the KV cache, so each new
 * turn only runs its own tokens; {@code /image PATH} attaches an image to the next message.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Interactive conversation. Commands: /image PATH, /reset, /quit.")
final class ChatCommand implements Callable<Integer> {

    @Mixin
    ModelOptions models;

    @Option(names = {"-i", "--image"}, paramLabel = "FILE", description = "Images for the first message.")
    List<Path> firstImages = new ArrayList<>();

    @Option(names = "--template", defaultValue = "llava-1.5", paramLabel = "llava-1.5|vicuna|none", description = "Default: ${DEFAULT-VALUE}.")
    String template;

    @Option(names = "--image-mode", defaultValue = "pad", paramLabel = "pad|crop", description = "Default: ${DEFAULT-VALUE}.")
    String imageMode;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    BackendOptions backend;

    @Override
    public Integer call() throws Exception {
        ChatTemplate tpl = ChatTemplate.fromId(template);
        ImageMode mode = ImageModes.parse(imageMode);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Progress progress = new Progress(false);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Engines engines = Engines.open(backend, models.model, models.mmproj, models.contextSize, false, progress)) {
            Generator generator = new Generator(engines.languageModel());
            Sampler sampler = new Sampler(sampling.params(), engines.languageModel().config().vocabSize());
            PromptAssembler assembler = new PromptAssembler(engines, progress);
            int eos = engines.tokenizer().eos();
            List<Path> pending = new ArrayList<>(firstImages);
            boolean firstTurn = true;
            out.println("llava chat: /image PATH attaches an image, /reset starts over, /quit ends.");
            while (true) {
                out.print("\nUSER: ");
                out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/quit")) {
                    break;
                }
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.equals("/reset")) {
                    generator.reset();
                    sampler.resetHistory();
                    pending.clear();
                    firstTurn = true;
                    out.println("(conversation reset)");
                    continue;
                }
                if (line.startsWith("/image")) {
                    Path p = Path.of(line.substring("/image".length()).strip());
                    if (!Files.isRegularFile(p)) {
                        out.println("(no such image: " + p + ")");
                    } else if (engines.visionEncoder() == null) {
                        out.println("(no --mmproj given: images cannot be used)");
                    } else {
                        pending.add(p);
                        out.println("(image " + p.getFileName() + " attached to your next message)");
                    }
                    continue;
                }
                try {
                    String rendered = firstTurn ? tpl.render(line, pending.size()) : tpl.renderFollowUp(line, pending.size());
                    // a finished answer is closed with </s> (LLaVA's conv_vicuna_v1 sep2) before the next USER turn
                    int closing = firstTurn ? 0 : 1;
                    PromptAssembler.Assembled input = assembler.assemble(rendered, pending, mode, firstTurn, closing);
                    List<Segment> segments = new ArrayList<>();
                    if (!firstTurn) {
                        segments.add(Segment.Tokens.of(eos));
                    }
                    segments.addAll(input.segments());
                    out.print("ASSISTANT:");
                    TokenDecoder decoder = engines.tokenizer().newDecoder();
                    int budget = Math.min(sampling.nPredict, engines.languageModel().contextSize() - generator.position() - input.positions() - closing);
                    GenerationResult r = generator.generate(segments, sampler, Math.max(0, budget), new int[] {eos}, t -> {
                        out.print(decoder.push(t));
                        out.flush();
                        return true;
                    });
                    out.println(decoder.flush());
                    if (r.stopReason() == GenerationResult.StopReason.CONTEXT_FULL || budget <= 0) {
                        out.println("(the context is full: /reset to start a new conversation)");
                    }
                    pending.clear();
                    firstTurn = false;
                } catch (IllegalArgumentException | io.github.tornadollava.image.ImageException e) {
                    out.println("(error: " + e.getMessage() + ")");
                    pending.clear();
                }
            }
        }
        return 0;
    }
}
