package io.github.tsm4j.examples.spark;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where a listed video lives: a local path (no scheme, or {@code file:}), read in place, or any other URI Hadoop
 * can read ({@code hdfs://}, {@code s3a://}, {@code gs://}, … with the file system's jar on the class path),
 * copied to a local temporary file first because FFmpeg reads local files.
 */
final class VideoLocations {
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

    private VideoLocations() {}

    /**
     * @param video a listed video
     * @return whether it is a local path (read in place)
     */
    static boolean isLocal(String video) {
        return !SCHEME.matcher(video).matches() || video.startsWith("file:");
    }

    /**
     * @param video a local video ({@link #isLocal})
     * @return its path
     */
    static Path localPath(String video) {
        return video.startsWith("file:") ? Path.of(URI.create(video)) : Path.of(video);
    }

    /**
     * @param entries Hadoop configuration entries
     * @return the configuration
     */
    static Configuration hadoop(Map<String, String> entries) {
        Configuration c = new Configuration(false);
        entries.forEach(c::set);
        return c;
    }

    /**
     * Copies a remote file to a new local temporary file.
     *
     * @param uri the file
     * @param conf Hadoop configuration
     * @param prefix temporary file name prefix
     * @return the local copy (the caller deletes it)
     * @throws IOException naming the URI when it cannot be read
     */
    static Path copyToLocal(String uri, Configuration conf, String prefix) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        String name = p.getName();
        int dot = name.lastIndexOf('.');
        Path tmp = Files.createTempFile(prefix, dot < 0 ? "" : name.substring(dot));
        try {
            FileSystem fs = p.getFileSystem(conf);
            try (InputStream in = fs.open(p)) {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot read " + uri + ": " + oneLine(e), e);
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
