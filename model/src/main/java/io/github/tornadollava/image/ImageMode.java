package io.github.tornadollava.image;

/** How a non-square image is made square before the vision tower sees it. */
public enum ImageMode {
    /**
     * LLaVA-1.5 {@code image_aspect_ratio=pad} ({@code expand2square}): the whole picture is kept,
     * centred on a square canvas of the mean colour, then resized. The default, as LLaVA-1.5 was trained so.
     */
    PAD,
    /** Hugging Face {@code CLIPImageProcessor}: short side resized to the image size, then a centre crop. */
    CROP
}
