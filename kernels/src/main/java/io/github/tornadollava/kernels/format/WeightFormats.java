package io.github.tornadollava.kernels.format;

import java.util.EnumMap;
import java.util.Map;

/** Looks up the {@link WeightFormat} that computes with a given ggml type. */
public final class WeightFormats {

    private static final Map<GGMLType, WeightFormat> FORMATS = new EnumMap<>(GGMLType.class);

    static {
        register(new F32Format());
        register(new F16Format());
        register(new BF16Format());
        register(new Q8_0Format());
        register(new Q4_0Format());
        register(new Q4_1Format());
        register(new Q5_0Format());
        register(new Q5_1Format());
        register(new Q4_KFormat());
        register(new Q5_KFormat());
        register(new Q6_KFormat());
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
