package io.github.tsm4j.data.dataset;

import java.nio.file.Path;

/**
 * An annotation file is malformed or refers to something unknown (label, video). The message reads
 * {@code file:line: problem} (line omitted when not known).
 */
public class AnnotationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final int line;

    /**
     * @param file the annotation file
     * @param line 1-based line, or 0 when not known
     * @param message the problem
     */
    public AnnotationException(Path file, int line, String message) {
        this(file, line, message, null);
    }

    /**
     * @param file the annotation file
     * @param line 1-based line, or 0 when not known
     * @param message the problem
     * @param cause underlying error
     */
    public AnnotationException(Path file, int line, String message, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message, cause);
        this.file = file;
        this.line = line;
    }

    /** @return the annotation file */
    public Path file() {
        return file;
    }

    /** @return the 1-based line, or 0 when not known */
    public int line() {
        return line;
    }
}
