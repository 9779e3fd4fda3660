package io.github.tornadollava.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a text at every occurrence of the tokens that are matched verbatim before SentencePiece
 * runs (llama.cpp's {@code tokenizer_st_partition}): user-defined tokens always, control and
 * unknown tokens ({@code <s>}, {@code </s>}, {@code <unk>}) only when parse_special is on.
 *
 * <p>Tokens are tried longest first (by UTF-8 length); each one splits every text fragment still
 * left at its non-overlapping occurrences, scanning left to right, so a longer token wins over a
 * shorter one it contains. llama.cpp's lstrip/rstrip token attributes are only set for a few named
 * models (Phi-3, Jina, ModernBERT) and never for LLaMA vocabularies, so they are not modelled.
 */
final class SpecialTokenSplitter {

    /** A fragment of the text: either {@code text[start, end)} or, when {@code token >= 0}, that token. */
    record Fragment(int token, int start, int end) {
        boolean isText() {
            return token < 0;
        }
    }

    private SpecialTokenSplitter() {
    }

    /**
     * @param candidates ids ordered longest text first
     * @param texts      the vocabulary texts, indexed by id
     */
    static List<Fragment> split(String text, int[] candidates, String[] texts) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment(-1, 0, text.length()));
        for (int id : candidates) {
            String special = texts[id];
            // cheap pre-check: most special tokens do not occur at all
            if (!text.contains(special)) {
                continue;
            }
            List<Fragment> split = new ArrayList<>(fragments.size() + 2);
            for (Fragment f : fragments) {
                if (!f.isText()) {
                    split.add(f);
                    continue;
                }
                int pos = f.start();
                while (true) {
                    int at = text.indexOf(special, pos, f.end());
                    if (at < 0) {
                        if (pos < f.end()) {
                            split.add(new Fragment(-1, pos, f.end()));
                        }
                        break;
                    }
                    if (at > pos) {
                        split.add(new Fragment(-1, pos, at));
                    }
                    split.add(new Fragment(id, at, at + special.length()));
                    pos = at + special.length();
                }
            }
            fragments = split;
        }
        return fragments;
    }
}
