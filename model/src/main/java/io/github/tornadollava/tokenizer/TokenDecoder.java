package io.github.tornadollava.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated token ids into text as they arrive, one instance per generation.
 *
 * <p>Each token contributes its piece as llama.cpp's {@code common_token_to_piece} renders it for
 * generated text: {@code ▁} becomes a space and nothing is stripped, so the first generated piece
 * keeps its leading space ({@code "▁The"} after a prompt streams as {@code " The"}). Byte-fallback
 * tokens that make up one multi-byte UTF-8 character are held back until the character is
 * complete; a byte sequence that can no longer become valid UTF-8 is emitted as U+FFFD.
 */
public final class TokenDecoder {

    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private byte[] pending = new byte[16];
    private int size;

    /**
     * @param renderSpecial render control tokens as their text ({@code </s>}); off, they render as nothing
     */
    public TokenDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /** Adds one token; returns the text completed by it (often empty while a character is split over byte tokens). */
    public String push(int id) {
        byte[] piece = tokenizer.rendering(id, renderSpecial);
        if (size + piece.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(2 * pending.length, size + piece.length));
        }
        System.arraycopy(piece, 0, pending, size, piece.length);
        size += piece.length;
        return take(completeLength());
    }

    /** Returns whatever is still held back (an unfinished character becomes U+FFFD) and resets. */
    public String flush() {
        return take(size);
    }

    /** How many leading pending bytes can be decoded now: all but an unfinished trailing character. */
    private int completeLength() {
        // A character is at most 4 bytes, so only the last 3 bytes can belong to an unfinished one.
        for (int back = 1; back <= Math.min(3, size); back++) {
            int b = pending[size - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for its lead byte
            }
            int need = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 1;
            return need > back ? size - back : size;
        }
        return size;
    }

    private String take(int n) {
        if (n == 0) {
            return "";
        }
        String s = new String(pending, 0, n, StandardCharsets.UTF_8);
        System.arraycopy(pending, n, pending, 0, size - n);
        size -= n;
        return s;
    }
}
