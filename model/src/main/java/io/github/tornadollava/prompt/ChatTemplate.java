package io.github.tornadollava.prompt;

import java.util.Locale;

/**
 * How a user's prompt becomes the text LLaVA was trained on. {@code <image>} marks where each
 * image's embeddings go; a prompt without placeholders gets one {@code <image>\n} per image in
 * front of it, as the original LLaVA code does.
 */
public enum ChatTemplate {
    /** LLaVA-1.5's conv_vicuna_v1: system line, USER/ASSISTANT turns. The default. */
    LLAVA_15("llava-1.5", "A chat between a curious human and an artificial intelligence assistant. "
            + "The assistant gives helpful, detailed, and polite answers to the human's questions. "),
    /** The same turns without the system line. */
    VICUNA("vicuna", ""),
    /** The prompt exactly as given. */
    NONE("none", null);

    public static final String IMAGE_PLACEHOLDER = "<image>";

    private final String id;
    private final String system;

    ChatTemplate(String id, String system) {
        this.id = id;
        this.system = system;
    }

    public String id() {
        return id;
    }

    public static ChatTemplate fromId(String id) {
        for (ChatTemplate t : values()) {
            if (t.id.equals(id.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown template '" + id + "' (known: llava-1.5, vicuna, none)");
    }

    /** The full first-turn text for {@code prompt} with {@code nImages} images. */
    public String render(String prompt, int nImages) {
        String user = withPlaceholders(prompt, nImages);
        if (system == null) {
            return user;
        }
        return system + "USER: " + user + " ASSISTANT:";
    }

    /**
     * The text of a later turn in a conversation whose earlier turns are already in the KV cache
     * (after the previous answer and its end-of-sequence token).
     */
    public String renderFollowUp(String prompt, int nImages) {
        String user = withPlaceholders(prompt, nImages);
        return system == null ? user : "USER: " + user + " ASSISTANT:";
    }

    static String withPlaceholders(String prompt, int nImages) {
        int found = countPlaceholders(prompt);
        if (found == 0) {
            return (IMAGE_PLACEHOLDER + "\n").repeat(nImages) + prompt;
        }
        if (found != nImages) {
            throw new IllegalArgumentException("the prompt has " + found + " " + IMAGE_PLACEHOLDER
                    + " placeholder(s) but " + nImages + " image(s) were given");
        }
        return prompt;
    }

    public static int countPlaceholders(String text) {
        int n = 0;
        for (int i = text.indexOf(IMAGE_PLACEHOLDER); i >= 0; i = text.indexOf(IMAGE_PLACEHOLDER, i + 1)) {
            n++;
        }
        return n;
    }
}
