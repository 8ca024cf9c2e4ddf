package io.github.tsm4j.models.zoo;

import java.io.IOException;

/** A file whose SHA-256 is not the catalogue's; the message names both hashes. Nothing is cached. */
public final class ChecksumMismatchException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String actual;
    private final String expected;

    /**
     * @param message the message (naming both hashes)
     * @param actual the file's SHA-256 (hex)
     * @param expected the expected SHA-256 or its prefix (hex)
     */
    public ChecksumMismatchException(String message, String actual, String expected) {
        super(message);
        this.actual = actual;
        this.expected = expected;
    }

    /** @return the file's SHA-256 */
    public String actual() {
        return actual;
    }

    /** @return the expected SHA-256 or prefix */
    public String expected() {
        return expected;
    }
}
