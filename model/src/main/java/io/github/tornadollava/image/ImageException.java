package io.github.tornadollava.image;

import java.nio.file.Path;

/** An image that cannot be used: the message names the file and what is wrong with it. */
public class ImageException extends RuntimeException {

    public ImageException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ImageException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
