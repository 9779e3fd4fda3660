package io.github.tornadollava.prompt;

import java.util.ArrayList;
import java.util.List;

import io.github.tornadollava.tokenizer.Tokenizer;

/**
 * Splits rendered text at {@code <image>} placeholders and tokenizes each text chunk as the
 * original LLaVA code ({@code tokenizer_image_token}) and llama.cpp do: every chunk is ordinary
 * SentencePiece text with its dummy-prefix space, and only the first chunk gets BOS.
 */
public final class PromptTokenizer {

    private final Tokenizer tokenizer;

    public PromptTokenizer(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** @param addBos whether the first chunk starts with BOS (true for a new conversation). */
    public List<PromptChunk> tokenize(String rendered, boolean addBos) {
        List<PromptChunk> out = new ArrayList<>();
        String[] parts = rendered.split(java.util.regex.Pattern.quote(ChatTemplate.IMAGE_PLACEHOLDER), -1);
        for (int i = 0; i < parts.length; i++) {
            String text = parts[i];
            boolean first = i == 0;
            if (!text.isEmpty() || (first && addBos)) {
                int[] ids = text.isEmpty() ? new int[] {tokenizer.bos()} : tokenizer.encode(text, first && addBos, false);
                out.add(new PromptChunk.Text(text, ids));
            }
            if (i < parts.length - 1) {
                out.add(new PromptChunk.Image(i));
            }
        }
        return out;
    }
}
