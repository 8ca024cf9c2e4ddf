package io.github.tsm4j.examples.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A Hadoop file system ({@code block://}) whose {@code open} never returns (for at most 5 minutes): a video on it
 * keeps its Spark task running, so a test can kill the driver while that task is in flight, deterministically.
 * Registered with {@code spark.hadoop.fs.block.impl}.
 */
public final class BlockingFileSystem extends FileSystem {
    private URI uri = URI.create("block:///");

    @Override
    public void initialize(URI name, org.apache.hadoop.conf.Configuration conf) throws IOException {
        super.initialize(name, conf);
        uri = URI.create(name.getScheme() + ":///");
    }

    @Override
    public URI getUri() {
        return uri;
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        try {
            Thread.sleep(300_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IOException("blocked " + f);
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission p, boolean o, int b, short r, long s, Progressable pr)
            throws IOException {
        throw new IOException("read-only");
    }

    @Override
    public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) throws IOException {
        throw new IOException("read-only");
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        throw new IOException("read-only");
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        throw new IOException("read-only");
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        throw new FileNotFoundException(f.toString());
    }

    @Override
    public void setWorkingDirectory(Path dir) {
    }

    @Override
    public Path getWorkingDirectory() {
        return new Path("/");
    }

    @Override
    public boolean mkdirs(Path f, FsPermission permission) throws IOException {
        throw new IOException("read-only");
    }

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        return new FileStatus(1, false, 1, 1, 0, f);
    }
}
