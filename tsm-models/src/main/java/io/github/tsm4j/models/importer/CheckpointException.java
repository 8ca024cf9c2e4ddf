package io.github.tsm4j.models.importer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that cannot be read: wrong magic number, truncated data, a malformed pickle, a
 * zip archive without {@code data.pkl}, sizes that do not fit the file. The message names the file.
 */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file the checkpoint
     * @param message what is wrong, and where
     */
    public CheckpointException(Path file, String message) {
        super("checkpoint " + file + ": " + message);
    }

    /**
     * @param file the checkpoint
     * @param message what is wrong, and where
     * @param cause the underlying failure
     */
    public CheckpointException(Path file, String message, Throwable cause) {
        super("checkpoint " + file + ": " + message, cause);
    }
}
