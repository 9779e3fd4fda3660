package io.github.tornadollava.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

import io.github.tornadollava.gguf.GGUFArray;
import io.github.tornadollava.gguf.GGUFException;
import io.github.tornadollava.gguf.GGUFFile;

/**
 * The LLaMA SentencePiece tokenizer stored in a GGUF file ({@code tokenizer.ggml.model = "llama"}),
 * reproducing llama.cpp's SPM tokenizer ({@code llama_vocab::impl::tokenize} and
 * {@code detokenize}, commit 3f545beccee6) id for id.
 *
 * <p>Encoding: special tokens are cut out of the text first ({@link SpecialTokenSplitter}); every
 * remaining text fragment gets the SentencePiece dummy prefix (a space) when it is the first
 * fragment or follows a special token, has its spaces escaped to {@code ▁} (U+2581) and is encoded by
 * {@link SpmEncoder}. Note that the dummy prefix does not depend on BOS: {@code "\n"} always
 * starts with the lone {@code ▁} token (29871 in LLaMA), which is what prompt templates that
 * tokenize text chunk by chunk rely on.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Tokenizer {

    private static final String KEY_MODEL = "tokenizer.ggml.model";
    private static final String KEY_TOKENS = "tokenizer.ggml.tokens";
    private static final String KEY_SCORES = "tokenizer.ggml.scores";
    private static final String KEY_TYPES = "tokenizer.ggml.token_type";
    private static final String HEX = "0123456789ABCDEF";

    private final String[] texts;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> ids;
    /** The rendering of each token with special tokens shown (llama.cpp's token_to_piece cache). */
    private final byte[][] pieces;
    /** byte value -> token id used for byte fallback, -1 where the vocabulary has none. */
    private final int[] byteTokens;
    /** Tokens matched verbatim when parse_special is on / off, longest text first. */
    private final int[] splitTokensSpecial;
    private final int[] splitTokensPlain;
    private final int bos, eos, unk, pad;
    private final boolean addBos, addEos, addSpacePrefix;
    private final SpmEncoder encoder = new SpmEncoder(this);

    private Tokenizer(Path path, String[] texts, float[] scores, TokenType[] types,
                      int bos, int eos, int unk, int pad, boolean addBos, boolean addEos, boolean addSpacePrefix) {
        this.texts = texts;
        this.scores = scores;
        this.types = types;
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
        this.pad = pad;
        this.addBos = addBos;
        this.addEos = addEos;
        this.addSpacePrefix = addSpacePrefix;

        int n = texts.length;
        this.ids = HashMap.newHashMap(n);
        for (int i = 0; i < n; i++) {
            Integer before = ids.putIfAbsent(texts[i], i);
            if (before != null) {
                // llama.cpp asserts on this: two ids for one text make encoding ambiguous
                throw new GGUFException(path, "token text '" + texts[i] + "' appears twice in " + KEY_TOKENS
                        + " (ids " + before + " and " + i + ")");
            }
        }

        this.pieces = new byte[n][];
        for (int i = 0; i < n; i++) {
            pieces[i] = switch (types[i]) {
                case CONTROL, UNKNOWN, USER_DEFINED -> texts[i].getBytes(StandardCharsets.UTF_8);
                case NORMAL -> texts[i].replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
                case BYTE -> new byte[] {(byte) parseByteToken(path, i, texts[i])};
                case UNUSED, UNDEFINED -> new byte[0];
            };
        }

        // llama.cpp's byte_to_token: "<0xNN>" (upper-case hex), else the byte itself as a one-character token
        this.byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            int id = idOf("<0x" + HEX.charAt(b >> 4) + HEX.charAt(b & 15) + ">");
            if (id < 0 && b < 0x80) {
                id = idOf(String.valueOf((char) b));
            }
            byteTokens[b] = id;
        }

        // Longest first, by UTF-8 length as llama.cpp sorts; ties (order unspecified there) by id.
        Comparator<Integer> longestFirst = Comparator.<Integer>comparingInt(i -> -texts[i].getBytes(StandardCharsets.UTF_8).length)
                .thenComparingInt(i -> i);
        this.splitTokensSpecial = IntStream.range(0, n)
                .filter(i -> types[i] == TokenType.CONTROL || types[i] == TokenType.UNKNOWN || types[i] == TokenType.USER_DEFINED)
                .boxed().sorted(longestFirst).mapToInt(Integer::intValue).toArray();
        this.splitTokensPlain = Arrays.stream(splitTokensSpecial).filter(i -> types[i] == TokenType.USER_DEFINED).toArray();
    }

    /**
     * Reads the tokenizer of a GGUF file: {@code tokenizer.ggml.tokens} (required), {@code .scores}
     * and {@code .token_type} (optional, default 0 and NORMAL), the BOS/EOS/unknown/padding ids
     * (defaults 1, 2, 0 and none, as llama.cpp), {@code add_bos_token} (default true),
     * {@code add_eos_token} (default false) and {@code add_space_prefix} (default true).
     *
     * @throws GGUFException naming the file when there is no tokenizer, it is not a SentencePiece
     *                       ("llama") one, or its arrays are inconsistent
     */
    public static Tokenizer fromGGUF(GGUFFile f) {
        Path path = f.path();
        if (!f.has(KEY_MODEL) || !f.has(KEY_TOKENS)) {
            throw new GGUFException(path, "no tokenizer: metadata '" + (f.has(KEY_MODEL) ? KEY_TOKENS : KEY_MODEL)
                    + "' is missing (is this a language-model GGUF?)");
        }
        String model = f.getString(KEY_MODEL);
        if (!model.equals("llama")) {
            throw new GGUFException(path, KEY_MODEL + " is '" + model + "'; only the SentencePiece tokenizer 'llama' is supported");
        }
        String[] texts = f.getStringArray(KEY_TOKENS).clone();
        int n = texts.length;
        if (n == 0) {
            throw new GGUFException(path, KEY_TOKENS + " is empty");
        }
        for (int i = 0; i < n; i++) {
            if (texts[i].isEmpty()) {
                texts[i] = "[EMPTY_" + i + "]"; // llama.cpp's name for an empty entry, so it can never match text
            }
        }

        float[] scores = new float[n];
        if (f.has(KEY_SCORES)) {
            Object v = f.metadata().get(KEY_SCORES) instanceof GGUFArray a ? a.values() : null;
            if (v instanceof float[] fs && fs.length >= n) {
                System.arraycopy(fs, 0, scores, 0, n);
            } else if (v instanceof int[] is && is.length >= n) {
                for (int i = 0; i < n; i++) {
                    scores[i] = is[i];
                }
            } else {
                throw new GGUFException(path, KEY_SCORES + " must be an array of float32 (or int32) with at least " + n
                        + " entries, one per token; found " + f.metadata().get(KEY_SCORES));
            }
        }

        TokenType[] types = new TokenType[n];
        Arrays.fill(types, TokenType.NORMAL);
        if (f.has(KEY_TYPES)) {
            int[] t = f.getIntArray(KEY_TYPES);
            if (t.length < n) {
                throw new GGUFException(path, KEY_TYPES + " has " + t.length + " entries for " + n + " tokens");
            }
            for (int i = 0; i < n; i++) {
                types[i] = TokenType.fromId(t[i]);
            }
        }

        int bos = specialId(f, "tokenizer.ggml.bos_token_id", 1, n);
        int eos = specialId(f, "tokenizer.ggml.eos_token_id", 2, n);
        int unk = specialId(f, "tokenizer.ggml.unknown_token_id", 0, n);
        int pad = specialId(f, "tokenizer.ggml.padding_token_id", -1, n);
        boolean addBos = f.getBoolean("tokenizer.ggml.add_bos_token", true);
        boolean addEos = f.getBoolean("tokenizer.ggml.add_eos_token", false);
        boolean addSpacePrefix = f.getBoolean("tokenizer.ggml.add_space_prefix", true);
        return new Tokenizer(path, texts, scores, types, bos, eos, unk, pad, addBos, addEos, addSpacePrefix);
    }

    private static int specialId(GGUFFile f, String key, int def, int n) {
        if (!f.has(key)) {
            return def < n ? def : -1;
        }
        long id = f.getLong(key);
        if (id < 0 || id >= n) {
            throw new GGUFException(f.path(), "metadata '" + key + "' = " + id + " is not a token id (vocabulary size " + n + ")");
        }
        return (int) id;
    }

    private static int parseByteToken(Path path, int id, String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            int hi = Character.digit(text.charAt(3), 16), lo = Character.digit(text.charAt(4), 16);
            if (hi >= 0 && lo >= 0) {
                return hi * 16 + lo;
            }
        }
        throw new GGUFException(path, "token " + id + " '" + text + "' has type BYTE but is not of the form <0xNN>");
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Tokenizes {@code text} exactly as llama.cpp's {@code llama_tokenize(vocab, text, add_special, parse_special)}.
     *
     * @param addBos       llama.cpp's add_special: prepend BOS when the model's {@code add_bos_token}
     *                     is set (the default), and append EOS when its {@code add_eos_token} is set
     *                     (off for LLaMA)
     * @param parseSpecial match the texts of control tokens ({@code <s>}, {@code </s>}, {@code <unk>})
     *                     in {@code text} and emit their ids; when false they are ordinary text.
     *                     User-defined tokens are matched either way.
     */
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        text = wellFormed(text);
        IntList out = new IntList();
        if (addBos && this.addBos) {
            if (bos < 0) {
                throw new IllegalStateException("the model asks for a BOS token but its vocabulary has none");
            }
            out.add(bos);
        }
        List<SpecialTokenSplitter.Fragment> fragments =
                SpecialTokenSplitter.split(text, parseSpecial ? splitTokensSpecial : splitTokensPlain, texts);
        boolean afterSpecial = true; // the first fragment gets the dummy prefix too, BOS or not
        for (SpecialTokenSplitter.Fragment f : fragments) {
            if (f.isText()) {
                String fragment = text.substring(f.start(), f.end());
                if (addSpacePrefix && afterSpecial) {
                    fragment = " " + fragment;
                }
                encoder.encode(fragment.replace(' ', '\u2581'), out);
                afterSpecial = false;
            } else {
                out.add(f.token());
                afterSpecial = true;
            }
        }
        if (addBos && addEos) {
            if (eos < 0) {
                throw new IllegalStateException("the model asks for an EOS token but its vocabulary has none");
            }
            out.add(eos);
        }
        return out.toArray();
    }

    /**
     * llama.cpp works on UTF-8 bytes; a Java string can hold unpaired surrogates, which have no
     * UTF-8 form. They become U+FFFD, as a UTF-8 decoder would have produced.
     */
    private static String wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    StringBuilder sb = new StringBuilder(s.length());
                    s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isSurrogate((char) cp) && cp < 0x10000 ? 0xFFFD : cp));
                    return sb.toString();
                }
                i++;
            }
        }
        return s;
    }

    /** The id of the vocabulary entry whose text is exactly {@code text}, or -1. */
    int idOf(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    /** The token for one byte of a piece missing from the vocabulary. */
    int byteFallback(int b) {
        int id = byteTokens[b];
        if (id >= 0) {
            return id;
        }
        // llama.cpp throws here; SentencePiece without byte fallback emits <unk>, which is what we do
        if (unk >= 0) {
            return unk;
        }
        throw new IllegalStateException(String.format("the vocabulary has no byte token <0x%02X> and no unknown token", b));
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Decodes ids to text as {@code llama_detokenize(ids, remove_special = false, unparse_special = false)}:
     * control and unknown tokens render as nothing, byte tokens are reassembled into UTF-8
     * (invalid sequences become U+FFFD), and one leading space is dropped from the first token's
     * piece (the dummy prefix). As in llama.cpp, a leading BOS token counts as that first token,
     * so {@code decode([BOS, "▁Hello"])} is {@code " Hello"} while {@code decode(["▁Hello"])} is
     * {@code "Hello"}.
     */
    public String decode(int[] ids) {
        return decode(ids, false, false);
    }

    /**
     * {@code llama_detokenize} with its two flags.
     *
     * @param removeSpecial  drop a leading BOS (if the model adds BOS; the following piece then keeps
     *                       its leading space) and a trailing EOS (if the model adds EOS)
     * @param unparseSpecial render control and unknown tokens as their text ({@code <s>}, ...)
     */
    public String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        int from = 0, to = ids.length;
        boolean removeSpace = addSpacePrefix;
        if (removeSpecial && addBos && to > 0 && ids[0] == bos) {
            removeSpace = false;
            from++;
        }
        if (removeSpecial && addEos && to > from && ids[to - 1] == eos) {
            to--;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4 * (to - from));
        for (int i = from; i < to; i++) {
            byte[] p = rendering(ids[i], unparseSpecial);
            int skip = removeSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
            bytes.write(p, skip, p.length - skip);
            removeSpace = false;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The bytes token {@code id} renders as (llama.cpp's token_to_piece without lstrip); internal, not copied. */
    byte[] rendering(int id, boolean special) {
        checkId(id);
        if (!special && types[id].isSpecial()) {
            return new byte[0];
        }
        return pieces[id];
    }

    /**
     * The bytes token {@code id} renders as: the piece with {@code ▁} as a space, a byte token's
     * single byte, or (when {@code special}) a control token's text. A byte token alone may be an
     * incomplete UTF-8 sequence, hence bytes; see {@link TokenDecoder} for streaming text.
     */
    public byte[] pieceBytes(int id, boolean special) {
        return rendering(id, special).clone();
    }

    /** A streaming decoder for one generation (pieces of control tokens render as nothing). */
    public TokenDecoder newDecoder() {
        return new TokenDecoder(this, false);
    }

    // ---------------------------------------------------------------- vocabulary

    /** The vocabulary entry of {@code id} as stored (SentencePiece's IdToPiece): {@code "▁Hello"}, {@code "<0x0A>"}, {@code "<s>"}. */
    public String piece(int id) {
        checkId(id);
        return texts[id];
    }

    public float score(int id) {
        checkId(id);
        return scores[id];
    }

    public TokenType tokenType(int id) {
        checkId(id);
        return types[id];
    }

    /** Control tokens ({@code <s>}, {@code </s>}) and the unknown token: rendered only on request, matched only with parse_special. */
    public boolean isSpecial(int id) {
        checkId(id);
        return types[id].isSpecial();
    }

    public int vocabSize() {
        return texts.length;
    }

    /** BOS id, -1 if none. */
    public int bos() {
        return bos;
    }

    /** EOS id, -1 if none. */
    public int eos() {
        return eos;
    }

    /** Unknown-token id, -1 if none. */
    public int unk() {
        return unk;
    }

    /** Padding id, -1 if none. */
    public int pad() {
        return pad;
    }

    /** {@code tokenizer.ggml.add_bos_token}: whether {@link #encode} with addBos really adds BOS. */
    public boolean addsBos() {
        return addBos;
    }

    /** {@code tokenizer.ggml.add_eos_token}: whether {@link #encode} with addBos also appends EOS. */
    public boolean addsEos() {
        return addEos;
    }

    /** {@code tokenizer.ggml.add_space_prefix}: whether text fragments get the dummy-prefix space. */
    public boolean addsSpacePrefix() {
        return addSpacePrefix;
    }

    private void checkId(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " is out of range [0, " + texts.length + ")");
        }
    }
}
