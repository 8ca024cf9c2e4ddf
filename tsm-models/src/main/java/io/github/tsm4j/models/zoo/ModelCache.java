package io.github.tsm4j.models.zoo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder of downloaded checkpoints: {@code <cacheDir>/<id>/<fileName>}, beside it {@code <fileName>.sha256}
 * (the SHA-256 verified when the file arrived), {@code <fileName>.part} (an unfinished download, resumed with an
 * HTTP {@code Range} request) and {@code .lock}.
 *
 * <p>A file reaches its cached name only complete and verified, by an atomic move, so a reader never sees a
 * partial file under that name. Fetches of one entry are serialised across threads (an in-process lock) and
 * across JVMs (a {@link FileLock} on {@code .lock}); the second fetcher finds the file and verifies it. Every
 * cache hit re-hashes the file: a corrupted one is logged, deleted and fetched again.
 *
 * <p>Verification: against the catalogue's full SHA-256 when published, else its published prefix, else the
 * hash recorded on arrival (trust on first use; the provenance of the model records it).
 */
public final class ModelCache {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final ZooOptions options;

    /**
     * @param options cache folder, download settings and listener
     */
    public ModelCache(ZooOptions options) {
        this.options = options;
    }

    /**
     * @param entry a catalogue entry
     * @return where its file is (or would be) cached
     */
    public Path fileFor(ZooEntry entry) {
        return options.cacheDir().resolve(entry.id()).resolve(fileName(entry));
    }

    private static String fileName(ZooEntry entry) {
        if (entry.fileName() == null) {
            throw new IllegalStateException("model '" + entry.id() + "' has no file: " + entry.reason());
        }
        return entry.fileName();
    }

    /**
     * Whether a complete, recorded file is in the cache (not re-hashed: {@link #fetch} verifies).
     *
     * @param entry a catalogue entry
     * @return true when the file and its recorded hash exist
     */
    public boolean isCached(ZooEntry entry) {
        if (entry.fileName() == null) {
            return false;
        }
        Path f = fileFor(entry);
        return Files.isRegularFile(f) && Files.isRegularFile(shaFile(f));
    }

    /**
     * The SHA-256 recorded when the cached file arrived.
     *
     * @param entry a catalogue entry
     * @return the hex hash
     * @throws IOException when the entry is not cached
     */
    public String recordedSha256(ZooEntry entry) throws IOException {
        return Files.readString(shaFile(fileFor(entry)), StandardCharsets.US_ASCII).strip();
    }

    /**
     * The verified cached file of an entry, downloaded when missing or corrupted.
     *
     * @param entry a catalogue entry
     * @return the cached file
     * @throws DownloadException when no URL delivers the file (or downloads are off), one line naming the URL and
     *     the offline route
     * @throws ChecksumMismatchException when the downloaded file's SHA-256 differs from the catalogue's
     * @throws IOException when the cache folder cannot be written
     */
    public Path fetch(ZooEntry entry) throws IOException {
        Path target = fileFor(entry);
        return locked(target, () -> {
            if (validCached(entry, target)) {
                return target;
            }
            if (options.offline()) {
                throw new DownloadException("model '" + entry.id() + "' is not in the cache " + options.cacheDir()
                        + " and downloads are off; " + offlineRoute(entry), null);
            }
            DownloadException last = null;
            for (String url : entry.urls()) {
                Path part = partFile(target);
                try {
                    download(entry, url, part);
                } catch (DownloadException e) {
                    LOG.warn("{}", e.getMessage());
                    last = e;
                    continue;
                }
                install(entry, part, target, "the download from " + url);
                options.listener().finished(entry.id(), target);
                return target;
            }
            if (last == null) {
                throw new DownloadException("model '" + entry.id() + "' has no download URL; " + offlineRoute(entry), null);
            }
            throw last;
        });
    }

    /**
     * Puts a file the user downloaded by hand into the cache, after the same verification as a download.
     *
     * @param entry a catalogue entry
     * @param file the downloaded file
     * @return the cached file
     * @throws ChecksumMismatchException when the file's SHA-256 differs from the catalogue's
     * @throws IOException when the file cannot be read or the cache written
     */
    public Path put(ZooEntry entry, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file (model '" + entry.id() + "' expects "
                    + entry.fileName() + ")");
        }
        Path target = fileFor(entry);
        return locked(target, () -> {
            Path part = partFile(target);
            Files.createDirectories(target.getParent());
            Files.copy(file, part, StandardCopyOption.REPLACE_EXISTING);
            install(entry, part, target, file.toString());
            return target;
        });
    }

    private interface Action {
        Path run() throws IOException;
    }

    private Path locked(Path target, Action action) throws IOException {
        Files.createDirectories(target.getParent());
        ReentrantLock jvm = IN_PROCESS.computeIfAbsent(target.toAbsolutePath().normalize(), k -> new ReentrantLock());
        jvm.lock();
        try (FileChannel ch = FileChannel.open(target.resolveSibling(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            return action.run();
        } finally {
            jvm.unlock();
        }
    }

    private boolean validCached(ZooEntry entry, Path target) throws IOException {
        if (!Files.isRegularFile(target)) {
            return false;
        }
        String actual = sha256(target);
        Path recorded = shaFile(target);
        String problem = mismatch(entry, actual);
        if (problem == null && Files.isRegularFile(recorded)) {
            String r = Files.readString(recorded, StandardCharsets.US_ASCII).strip();
            if (!r.equals(actual)) {
                problem = "SHA-256 " + actual + ", recorded on arrival " + r;
            }
        } else if (problem == null) {
            problem = "no recorded SHA-256 beside it";
        }
        if (problem == null) {
            LOG.debug("model '{}' served from the cache {}", entry.id(), target);
            return true;
        }
        LOG.warn("cached file {} of model '{}' is corrupted ({}): fetching it again", target, entry.id(), problem);
        Files.deleteIfExists(target);
        Files.deleteIfExists(recorded);
        return false;
    }

    /** Verifies {@code part} and moves it atomically to {@code target}; on a mismatch deletes it. */
    private void install(ZooEntry entry, Path part, Path target, String what) throws IOException {
        String actual = sha256(part);
        String problem = mismatch(entry, actual);
        if (problem != null) {
            Files.deleteIfExists(part);
            throw new ChecksumMismatchException("model '" + entry.id() + "': SHA-256 of " + what + " is " + actual
                    + ", expected " + entry.expectedHashText() + ": refused, nothing cached", actual,
                    entry.sha256() != null ? entry.sha256() : entry.sha256Prefix());
        }
        if (entry.sha256() == null && entry.sha256Prefix() == null) {
            LOG.warn("model '{}': no SHA-256 is published; recording {} of {} (trust on first use)", entry.id(), actual, what);
        }
        Path sha = shaFile(target);
        Path shaPart = sha.resolveSibling(sha.getFileName() + ".part");
        Files.writeString(shaPart, actual + "\n", StandardCharsets.US_ASCII);
        move(shaPart, sha);
        move(part, target);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** @return null when {@code actual} fits the entry's published hash, else a description */
    static String mismatch(ZooEntry entry, String actual) {
        if (entry.sha256() != null && !entry.sha256().equals(actual)) {
            return "SHA-256 " + actual + ", expected " + entry.sha256();
        }
        if (entry.sha256() == null && entry.sha256Prefix() != null && !actual.startsWith(entry.sha256Prefix())) {
            return "SHA-256 " + actual + ", expected prefix " + entry.sha256Prefix();
        }
        return null;
    }

    static String offlineRoute(ZooEntry entry) {
        return "download " + (entry.urls().isEmpty() ? entry.fileName() : entry.urls().get(0))
                + " by hand and run: tsm zoo get " + entry.id() + " --from FILE";
    }

    private static Path partFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    private static Path shaFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".sha256");
    }

    /** Downloads {@code url} into {@code part}, resuming what is there; returns when the file is complete. */
    private void download(ZooEntry entry, String url, Path part) throws DownloadException {
        String failure = null;
        IOException cause = null;
        for (int attempt = 1; attempt <= options.attempts(); attempt++) {
            HttpURLConnection c = null;
            try {
                long have = Files.exists(part) ? Files.size(part) : 0;
                c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(Math.toIntExact(Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis())));
                c.setReadTimeout(Math.toIntExact(Math.min(Integer.MAX_VALUE, options.readTimeout().toMillis())));
                c.setRequestProperty("User-Agent", "tsm4j");
                c.setRequestProperty("Accept-Encoding", "identity");
                if (have > 0) {
                    c.setRequestProperty("Range", "bytes=" + have + "-");
                }
                int code = c.getResponseCode();
                if (code == 416 && have > 0) {
                    Files.deleteIfExists(part); // the partial file is longer than the resource: start again
                    failure = "HTTP 416 for a resumed range";
                    continue;
                }
                if (code >= 400 && code < 500) {
                    throw new DownloadException("cannot download model '" + entry.id() + "' from " + url + ": HTTP " + code
                            + " " + c.getResponseMessage() + "; " + offlineRoute(entry), null);
                }
                if (code != 200 && code != 206) {
                    failure = "HTTP " + code + " " + c.getResponseMessage();
                    continue;
                }
                long offset = 0;
                long total = c.getContentLengthLong();
                if (code == 206) {
                    Matcher m = CONTENT_RANGE.matcher(String.valueOf(c.getHeaderField("Content-Range")));
                    if (m.matches() && Long.parseLong(m.group(1)) == have) {
                        offset = have;
                        total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
                    } else {
                        failure = "unusable Content-Range '" + c.getHeaderField("Content-Range") + "' for a request from byte " + have;
                        Files.deleteIfExists(part);
                        continue;
                    }
                }
                options.listener().started(entry.id(), url, offset, total);
                long done = offset;
                try (InputStream in = c.getInputStream();
                        OutputStream out = offset > 0 ? Files.newOutputStream(part, StandardOpenOption.APPEND)
                                : Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                                        StandardOpenOption.WRITE)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.write(buf, 0, n);
                        done += n;
                        options.listener().progress(done, total);
                    }
                }
                if (total >= 0 && done != total) {
                    failure = "connection closed after " + done + " of " + total + " bytes";
                    LOG.info("model '{}': {}, resuming ({}/{})", entry.id(), failure, attempt, options.attempts());
                    continue;
                }
                return;
            } catch (DownloadException e) {
                throw e;
            } catch (IOException e) {
                cause = e;
                failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
                LOG.info("model '{}' from {}: {} (attempt {}/{})", entry.id(), url, failure, attempt, options.attempts());
            } finally {
                if (c != null) {
                    c.disconnect();
                }
            }
        }
        throw new DownloadException("cannot download model '" + entry.id() + "' from " + url + ": " + failure + " ("
                + options.attempts() + " attempts); " + offlineRoute(entry), cause);
    }

    /**
     * Hex SHA-256 of a file.
     *
     * @param file the file
     * @return 64 lower-case hex digits
     * @throws IOException when it cannot be read
     */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] block = new byte[1 << 20];
            for (int n; (n = in.read(block)) > 0; ) {
                digest.update(block, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
