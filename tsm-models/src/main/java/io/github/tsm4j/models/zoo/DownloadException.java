package io.github.tsm4j.models.zoo;

import java.io.IOException;

/**
 * A checkpoint that could not be downloaded (HTTP error, unreachable host, connection lost more often than
 * allowed, downloads switched off). The message is one line naming the URL and the offline route.
 */
public final class DownloadException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the one-line message
     * @param cause the underlying failure, or null
     */
    public DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
