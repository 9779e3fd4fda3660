package io.github.tornadollava.runner;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llava tokenize --model LM.gguf TEXT}: the ids (and pieces) the model sees. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize TEXT with the model's SentencePiece vocabulary.")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "LM.gguf", description = "Language-model GGUF (its vocabulary is used).")
    Path model;

    @Parameters(paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Option(names = "--no-bos", description = "Do not prepend the BOS token.")
    boolean noBos;

    @Option(names = "--parse-special", description = "Turn special tokens written in the text (<s>, </s>) into their ids.")
    boolean parseSpecial;

    @Option(names = "--json", description = "Print {\"ids\":[...],\"pieces\":[...]} instead of one token per line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (GGUFFile f = GGUFFile.open(model)) {
            Tokenizer tok = Tokenizer.fromGGUF(f);
            int[] ids = tok.encode(text, !noBos, parseSpecial);
            if (json) {
                String[] pieces = new String[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    pieces[i] = tok.piece(ids[i]);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("ids", ids);
                out.put("pieces", pieces);
                System.out.println(Json.MAPPER.writeValueAsString(out));
            } else {
                for (int id : ids) {
                    System.out.printf("%6d -> '%s'%n", id, tok.piece(id));
                }
            }
        }
        return 0;
    }
}
