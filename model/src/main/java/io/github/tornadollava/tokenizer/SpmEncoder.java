package io.github.tornadollava.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * SentencePiece (BPE-style) encoding of one text fragment, a transcription of llama.cpp's
 * {@code llm_tokenizer_spm_session}: the text is split into code points, then the adjacent pair
 * whose concatenation is the vocabulary piece with the highest score is merged (leftmost pair on
 * ties), again and again, until no adjacent pair forms a piece. Each final symbol is emitted as its
 * token, or, when it is a lone code point missing from the vocabulary, as byte-fallback tokens.
 *
 * <p>The symbols are a doubly linked list over the text, and candidate pairs sit in a priority
 * queue; a pair made stale by an earlier merge is recognised by its length and skipped. That makes
 * encoding O(n log n) in the fragment length.
 *
 * <p>llama.cpp also keeps a {@code rev_merge} table to split ("resegment") a final symbol that is
 * not a vocabulary piece. Every merged symbol is a vocabulary piece by construction (a pair is only
 * queued when its text is one, and only merged while that text is unchanged), so only unmerged
 * single code points can miss, and those go straight to byte fallback; the table is not needed.
 */
final class SpmEncoder {

    /** A candidate merge of symbol {@code left} with its right neighbour {@code right}. */
    private record Bigram(int left, int right, float score, int length) {
    }

    // Highest score first; on equal scores the leftmost pair, as llama.cpp's llm_bigram_spm::comparator.
    private static final java.util.Comparator<Bigram> ORDER = (a, b) -> {
        if (a.score != b.score) {
            return a.score > b.score ? -1 : 1;
        }
        return Integer.compare(a.left, b.left);
    };

    private final Tokenizer vocab;

    SpmEncoder(Tokenizer vocab) {
        this.vocab = vocab;
    }

    /** Appends the tokens of {@code text} (spaces already escaped to U+2581) to {@code out}. */
    void encode(String text, IntList out) {
        int n = text.codePointCount(0, text.length());
        if (n == 0) {
            return;
        }
        // symbol i covers text[start[i], start[i] + len[i]) in UTF-16 units; len 0 = merged away
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, off = 0; i < n; i++) {
            int w = Character.charCount(text.codePointAt(off));
            start[i] = off;
            len[i] = w;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            off += w;
        }

        PriorityQueue<Bigram> queue = new PriorityQueue<>(Math.max(1, n), ORDER);
        for (int i = 1; i < n; i++) {
            tryAddBigram(text, start, len, i - 1, i, queue);
        }

        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            int l = b.left, r = b.right;
            // stale: one side was merged into another symbol since this pair was queued
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != b.length) {
                continue;
            }
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            tryAddBigram(text, start, len, prev[l], l, queue);
            tryAddBigram(text, start, len, l, next[l], queue);
        }

        for (int i = 0; i != -1; i = next[i]) {
            String piece = text.substring(start[i], start[i] + len[i]);
            int id = vocab.idOf(piece);
            if (id >= 0) {
                out.add(id);
            } else {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    out.add(vocab.byteFallback(b & 0xFF));
                }
            }
        }
    }

    private void tryAddBigram(String text, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        int length = len[left] + len[right];
        int id = vocab.idOf(text.substring(start[left], start[left] + length));
        if (id < 0) {
            return;
        }
        queue.add(new Bigram(left, right, vocab.score(id), length));
    }
}
