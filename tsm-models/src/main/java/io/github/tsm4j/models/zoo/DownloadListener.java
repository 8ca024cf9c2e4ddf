package io.github.tsm4j.models.zoo;

import java.nio.file.Path;

/**
 * Progress of a checkpoint download, for a progress bar or log lines. Called on the downloading thread.
 * All methods default to doing nothing.
 */
public interface DownloadListener {
    /** Reports nothing. */
    DownloadListener NONE = new DownloadListener() { };

    /**
     * A transfer starts (again, after a lost connection).
     *
     * @param id catalogue id
     * @param url where from
     * @param offset bytes already on disk (resumed), 0 for a fresh start
     * @param total file size in bytes, or -1 when the server does not say
     */
    default void started(String id, String url, long offset, long total) {
    }

    /**
     * Bytes arrived.
     *
     * @param done bytes on disk now
     * @param total file size, or -1
     */
    default void progress(long done, long total) {
    }

    /**
     * The file is verified and in the cache.
     *
     * @param id catalogue id
     * @param file the cached file
     */
    default void finished(String id, Path file) {
    }
}
