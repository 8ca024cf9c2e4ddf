package io.github.tsm4j.models.importer;

import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * An InputStream over a ByteBuffer (a memory-mapped checkpoint or an in-memory {@code data.pkl}) that
 * knows its position and how many bytes remain, so length fields can be checked before anything is
 * allocated.
 */
final class ByteBufferInput extends InputStream {
    private final ByteBuffer buf;

    ByteBufferInput(ByteBuffer buf) {
        this.buf = buf;
    }

    long position() {
        return buf.position();
    }

    long remaining() {
        return buf.remaining();
    }

    ByteBuffer buffer() {
        return buf;
    }

    @Override
    public int read() {
        return buf.hasRemaining() ? buf.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (!buf.hasRemaining()) {
            return -1;
        }
        int n = Math.min(len, buf.remaining());
        buf.get(b, off, n);
        return n;
    }

    @Override
    public long skip(long n) {
        int k = (int) Math.max(0, Math.min(n, buf.remaining()));
        buf.position(buf.position() + k);
        return k;
    }

    @Override
    public int available() {
        return buf.remaining();
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public synchronized void mark(int readlimit) {
        buf.mark();
    }

    @Override
    public synchronized void reset() {
        buf.reset();
    }
}
