package io.github.tornadollava.llama;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.github.tornadollava.sampling.Sampler;

/**
 * The generation loop: prefills the prompt segments in one
 * {@link LanguageModel#forward(List, int)} (which embeds the tokens, places image embeddings
 * wherever they are, and batches internally), then samples one token at a time,
 * feeding each back, until maxTokens, a stop token, a full context, or the listener says stop.
 *
 * <p>A Generator is a conversation: each call continues at the model's current KV position, so a
 * chat's next turn passes only its new segments. The last sampled token is not run through the
 * model when generation ends (that forward pass would be wasted if nothing follows); it is kept
 * pending and fed first by the next {@link #generate} call, so the cache always ends up holding
 * every token the conversation has seen. Stop tokens are never fed: a template that wants EOS in
 * the history includes it in the next turn's segments.
 */
public final class Generator {

    /** Receives each generated token as soon as it is sampled; returns false to stop generating. */
    @FunctionalInterface
    public interface TokenListener {
        boolean onToken(int token);

        static TokenListener none() {
            return token -> true;
        }
    }

    private final LanguageModel model;
    private final float[] tokenRow;
    private int pendingToken = -1;

    public Generator(LanguageModel model) {
        this.model = model;
        this.tokenRow = new float[model.config().dim()];
    }

    public LanguageModel model() {
        return model;
    }

    /** Positions of the conversation so far, including the pending token. */
    public int position() {
        return model.position() + (pendingToken >= 0 ? 1 : 0);
    }

    /** Starts a new conversation (the sampler's history is the caller's to reset). */
    public void reset() {
        pendingToken = -1;
        model.truncate(0);
    }

    /**
     * Runs {@code prompt} after the conversation so far and generates up to {@code maxTokens} tokens.
     *
     * @param stopTokens ids that end generation when sampled (typically EOS); empty for none
     * @throws IllegalArgumentException before any work if the prompt does not fit the context,
     *         is empty with nothing pending, or has embedding rows of the wrong width
     */
    public GenerationResult generate(List<Segment> prompt, Sampler sampler, int maxTokens, int[] stopTokens,
                                     TokenListener listener) {
        int dim = model.config().dim();
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
        }
        long total = pendingToken >= 0 ? 1 : 0;
        for (Segment s : prompt) {
            int width = switch (s) {
                case Segment.Embeddings e -> e.nRows() > 0 ? e.width() : dim;
                case Segment.Image i -> i.embeddings().width();
                case Segment.Tokens t -> dim;
            };
            if (width != dim) {
                throw new IllegalArgumentException("embedding segment rows have width " + width
                        + ", the model's embedding width is " + dim);
            }
            total += s.length();
        }
        if (total == 0) {
            throw new IllegalArgumentException("empty prompt: nothing to predict the next token from");
        }
        int start = model.position();
        if (start + total > model.contextSize()) {
            throw new IllegalArgumentException("context overflow: " + start + " positions used + " + total
                    + " new = " + (start + total) + " > context size " + model.contextSize());
        }

        long t0 = System.nanoTime();
        int n = (int) total;
        List<Segment> input = new ArrayList<>(prompt.size() + 1);
        if (pendingToken >= 0) {
            input.add(Segment.Tokens.of(pendingToken));
        }
        input.addAll(prompt);
        // the model assembles the rows: image embeddings may be in device memory, where only it can read them
        float[] logits = model.forward(input, start);
        for (Segment s : prompt) {
            if (s instanceof Segment.Tokens t) {
                for (int id : t.ids()) {
                    sampler.accept(id); // the prompt counts for the repetition penalty, as in llama.cpp
                }
            }
        }
        pendingToken = -1;
        long t1 = System.nanoTime();

        // Every token but the last must be fed back, so the free context bounds the count (and a
        // caller may pass Integer.MAX_VALUE to mean "until a stop token or a full context").
        int[] generated = new int[(int) Math.min(maxTokens, model.contextSize() - model.position() + 1L)];
        int count = 0;
        int steps = 0;
        int stopToken = -1;
        GenerationResult.StopReason reason = GenerationResult.StopReason.MAX_TOKENS;
        while (count < maxTokens) {
            int token = sampler.sample(logits);
            if (contains(stopTokens, token)) {
                stopToken = token;
                reason = GenerationResult.StopReason.STOP_TOKEN;
                break;
            }
            sampler.accept(token);
            generated[count++] = token;
            if (!listener.onToken(token)) {
                pendingToken = token;
                reason = GenerationResult.StopReason.LISTENER;
                break;
            }
            if (count == maxTokens) { // if the context is full as well, the token limit is the reason reported
                pendingToken = token;
                break;
            }
            int pos = model.position();
            if (pos >= model.contextSize()) {
                pendingToken = token;
                reason = GenerationResult.StopReason.CONTEXT_FULL;
                break;
            }
            model.embed(token, tokenRow, 0);
            logits = model.forward(tokenRow, 1, pos);
            steps++;
        }
        long t2 = System.nanoTime();
        return new GenerationResult(n, Arrays.copyOf(generated, count), reason, stopToken, t1 - t0, t2 - t1, steps);
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }
}
