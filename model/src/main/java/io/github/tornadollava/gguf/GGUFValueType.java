package io.github.tornadollava.gguf;

/** Metadata value types of the GGUF format, with their encoded size (0 for variable-length types). */
enum GGUFValueType {
    UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1),
    STRING(0), ARRAY(0), UINT64(8), INT64(8), FLOAT64(8);

    final int size;

    GGUFValueType(int size) {
        this.size = size;
    }

    static GGUFValueType fromId(long id) {
        GGUFValueType[] all = values();
        return id >= 0 && id < all.length ? all[(int) id] : null;
    }

    /** The least number of bytes one element of this type takes in the file (strings: their u64 length). */
    int minSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }
}
