package io.github.tsm4j.data.video;

import java.nio.file.Path;

/**
 * A video (or frame folder) could not be opened or decoded. The message starts with the file's path.
 */
public class VideoDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    /**
     * @param path the video file or frame folder
     * @param message what went wrong
     */
    public VideoDecodeException(Path path, String message) {
        super(path + ": " + message);
        this.path = path;
    }

    /**
     * @param path the video file or frame folder
     * @param message what went wrong
     * @param cause the underlying error
     */
    public VideoDecodeException(Path path, String message, Throwable cause) {
        super(path + ": " + message, cause);
        this.path = path;
    }

    /** @return the file or folder that failed */
    public Path path() {
        return path;
    }
}
