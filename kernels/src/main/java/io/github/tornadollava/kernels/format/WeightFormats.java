package io.github.tornadollava.kernels.format;

import java.util.EnumMap;
import java.util.Map;

/** Looks up the {@link WeightFormat} that computes with a given ggml type. */
public final class WeightFormats {

    private static final Map<GGMLType, WeightFormat> FORMATS = new EnumMap<>(GGMLType.class);

    static {
        register(new F32Format());
    }

    private WeightFormats() {
    }

    private static void register(WeightFormat f) {
        FORMATS.put(f.type(), f);
    }

    public static boolean isSupported(GGMLType type) {
        return FORMATS.containsKey(type);
    }

    /** The format for {@code type}; an {@link UnsupportedOperationException} naming the type if there is none. */
    public static WeightFormat of(GGMLType type) {
        WeightFormat f = FORMATS.get(type);
        if (f == null) {
            throw new UnsupportedOperationException("tensor type " + type + " is not supported for computation");
        }
        return f;
    }
}
