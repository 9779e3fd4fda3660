package io.github.tornadollava.tokenizer;

/**
 * The kind of a vocabulary entry, as stored in {@code tokenizer.ggml.token_type} (the numbering
 * is llama.cpp's {@code llama_token_type}). It decides how a token is matched in text and how it
 * is rendered back.
 */
public enum TokenType {
    /** Type 0, or any value outside 0..6: never rendered. */
    UNDEFINED,
    /** Ordinary SentencePiece piece; {@code ▁} stands for a space. */
    NORMAL,
    /** The {@code <unk>} token: special, rendered only on request. */
    UNKNOWN,
    /** Control tokens such as {@code <s>} and {@code </s>}: special, rendered only on request. */
    CONTROL,
    /** Added tokens: always matched verbatim in text before SentencePiece runs, rendered verbatim. */
    USER_DEFINED,
    /** Reserved slots: never rendered. */
    UNUSED,
    /** Byte-fallback tokens {@code <0xNN>}: render as that single byte. */
    BYTE;

    private static final TokenType[] BY_ID = values();

    /** Maps a stored type id; unknown ids become {@link #UNDEFINED}, as in llama.cpp. */
    public static TokenType fromId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : UNDEFINED;
    }

    /** Special tokens in llama.cpp's sense: matched in text only when parse_special is on. */
    boolean isSpecial() {
        return this == CONTROL || this == UNKNOWN;
    }
}
