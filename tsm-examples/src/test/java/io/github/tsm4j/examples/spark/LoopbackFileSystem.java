package io.github.tsm4j.examples.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the scheme {@code loop://}: a Hadoop file system that is not "local" to tsm4j (which reads
 * only plain paths and {@code file:} in place), so tests exercise the copy-through-Hadoop route of remote videos and
 * models. Registered with {@code fs.loop.impl}.
 */
public final class LoopbackFileSystem extends RawLocalFileSystem {
    @Override
    public URI getUri() {
        return URI.create("loop:///");
    }

    @Override
    public String getScheme() {
        return "loop";
    }
}
