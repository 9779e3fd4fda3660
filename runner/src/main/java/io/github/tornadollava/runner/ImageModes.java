package io.github.tornadollava.runner;

import java.util.Locale;

import io.github.tornadollava.image.ImageMode;

/** Parses {@code --image-mode}. */
final class ImageModes {
    private ImageModes() {
    }

    static ImageMode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "pad" -> ImageMode.PAD;
            case "crop" -> ImageMode.CROP;
            default -> throw new IllegalArgumentException("--image-mode must be pad or crop, got '" + s + "'");
        };
    }
}
