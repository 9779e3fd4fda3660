package io.github.tornadollava.projector;

/**
 * The multimodal projectors this engine runs, by their {@code clip.projector_type} name in the
 * mmproj GGUF. Other names llama.cpp knows (ldp, resampler, qwen2vl_merger, ...) belong to other
 * model families and are rejected when the file is opened.
 */
public enum ProjectorType {
    /** LLaVA-1.5: {@code mm.0} -> GELU -> {@code mm.2}. */
    MLP("mlp"),
    /** LLaVA v1: a single {@code mm.0}. */
    LINEAR("linear");

    private final String ggufName;

    ProjectorType(String ggufName) {
        this.ggufName = ggufName;
    }

    public String ggufName() {
        return ggufName;
    }

    /** The type called {@code name} in GGUF metadata, or null if this engine has no such projector. */
    public static ProjectorType fromGgufName(String name) {
        for (ProjectorType t : values()) {
            if (t.ggufName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
