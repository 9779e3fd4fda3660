package io.github.tornadollava.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes small tensor-less GGUF v3 files with chosen metadata, to test the tokenizer on hand-made vocabularies. */
final class TinyGguf {

    private static final int UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7, STRING = 8, ARRAY = 9;

    private final Map<String, Object> kv = new LinkedHashMap<>();

    /** Values: String, Integer (written as uint32), Boolean, String[], float[], int[] (int32). */
    TinyGguf put(String key, Object value) {
        kv.put(key, value);
        return this;
    }

    /** A SentencePiece vocabulary: texts, scores and types (llama.cpp type ids) of equal length. */
    static TinyGguf llamaVocab(String[] tokens, float[] scores, int[] types) {
        return new TinyGguf()
                .put("general.architecture", "llama")
                .put("tokenizer.ggml.model", "llama")
                .put("tokenizer.ggml.tokens", tokens)
                .put("tokenizer.ggml.scores", scores)
                .put("tokenizer.ggml.token_type", types);
    }

    Path write(Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeInt(out, 0x46554747);
        writeInt(out, 3);
        writeLong(out, 0); // tensors
        writeLong(out, kv.size());
        for (Map.Entry<String, Object> e : kv.entrySet()) {
            writeString(out, e.getKey());
            writeValue(out, e.getValue());
        }
        try {
            Files.write(file, out.toByteArray());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return file;
    }

    private static void writeValue(ByteArrayOutputStream out, Object v) {
        switch (v) {
            case String s -> { writeInt(out, STRING); writeString(out, s); }
            case Integer i -> { writeInt(out, UINT32); writeInt(out, i); }
            case Boolean b -> { writeInt(out, BOOL); out.write(b ? 1 : 0); }
            case String[] a -> {
                writeInt(out, ARRAY); writeInt(out, STRING); writeLong(out, a.length);
                for (String s : a) {
                    writeString(out, s);
                }
            }
            case float[] a -> {
                writeInt(out, ARRAY); writeInt(out, FLOAT32); writeLong(out, a.length);
                for (float f : a) {
                    writeInt(out, Float.floatToRawIntBits(f));
                }
            }
            case int[] a -> {
                writeInt(out, ARRAY); writeInt(out, INT32); writeLong(out, a.length);
                for (int i : a) {
                    writeInt(out, i);
                }
            }
            default -> throw new IllegalArgumentException("unsupported metadata value " + v);
        }
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeLong(out, b.length);
        out.writeBytes(b);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }
}
