package io.github.tsm4j.models.zoo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the pretrained-model cache and its downloads.
 *
 * @param cacheDir folder of the cache ({@code <cacheDir>/<id>/<fileName>}); the application chooses it (the {@code tsm}
 *     CLI: {@code --cache}, else {@code TSM4J_CACHE}, else {@code ~/.cache/tsm4j})
 * @param offline when true, nothing is downloaded: a model must be in the cache or given as a file
 * @param connectTimeout TCP connect timeout per attempt
 * @param readTimeout time without data before a transfer counts as lost
 * @param attempts transfers per URL before giving up (a lost connection resumes with an HTTP Range request), at least 1
 * @param listener download progress
 */
public record ZooOptions(Path cacheDir, boolean offline, Duration connectTimeout, Duration readTimeout, int attempts,
        DownloadListener listener) {

    /** Validates. */
    public ZooOptions {
        Objects.requireNonNull(cacheDir, "ZooOptions.cacheDir");
        Objects.requireNonNull(connectTimeout, "ZooOptions.connectTimeout");
        Objects.requireNonNull(readTimeout, "ZooOptions.readTimeout");
        if (attempts < 1) {
            throw new IllegalArgumentException("ZooOptions.attempts must be >= 1, found " + attempts);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("ZooOptions timeouts must be positive, found connect " + connectTimeout
                    + ", read " + readTimeout);
        }
        listener = listener == null ? DownloadListener.NONE : listener;
    }

    /**
     * The usual settings for a cache folder: downloads on, 30 s connect and 60 s read timeouts, 4 attempts per URL,
     * no listener. The library reads no property or environment variable: the folder is the caller's.
     *
     * @param cacheDir folder of the cache (created on first download)
     * @return the options
     */
    public static ZooOptions in(Path cacheDir) {
        return new ZooOptions(cacheDir, false, Duration.ofSeconds(30), Duration.ofSeconds(60), 4, DownloadListener.NONE);
    }

    /** @param dir cache folder @return a copy */
    public ZooOptions withCacheDir(Path dir) {
        return new ZooOptions(dir, offline, connectTimeout, readTimeout, attempts, listener);
    }

    /** @param v no downloads @return a copy */
    public ZooOptions withOffline(boolean v) {
        return new ZooOptions(cacheDir, v, connectTimeout, readTimeout, attempts, listener);
    }

    /** @param v attempts per URL @return a copy */
    public ZooOptions withAttempts(int v) {
        return new ZooOptions(cacheDir, offline, connectTimeout, readTimeout, v, listener);
    }

    /** @param connect connect timeout @param read read timeout @return a copy */
    public ZooOptions withTimeouts(Duration connect, Duration read) {
        return new ZooOptions(cacheDir, offline, connect, read, attempts, listener);
    }

    /** @param v progress listener @return a copy */
    public ZooOptions withListener(DownloadListener v) {
        return new ZooOptions(cacheDir, offline, connectTimeout, readTimeout, attempts, v);
    }
}
