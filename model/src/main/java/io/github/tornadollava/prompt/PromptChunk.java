package io.github.tornadollava.prompt;

/** One piece of a tokenized multimodal prompt: text token ids, or the slot of the k-th image. */
public sealed interface PromptChunk {

    record Text(String text, int[] ids) implements PromptChunk {
    }

    record Image(int index) implements PromptChunk {
    }
}
