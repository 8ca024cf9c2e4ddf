package io.github.tsm4j.data.stream;

import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.core.stream.SourceFrame;
import io.github.tsm4j.data.image.RgbFrame;
import java.io.IOException;
import java.io.InputStream;

/**
 * Raw RGB24 frames from a byte stream (stdin): {@code width · height · 3} bytes per frame, no header,
 * as written by {@code ffmpeg -f rawvideo -pix_fmt rgb24 -}. A stream that ends inside a frame is an
 * error, never a silently shortened frame.
 */
final class RawRgbSource implements FrameSource {

    private final FramePreprocessor preprocessor;

    private final String name;
    private final InputStream in;
    private final int width;
    private final int height;
    private final double fps;
    private long nextIndex;

    /**
     * @param name name for messages ({@code "-"} for stdin)
     * @param in the byte stream; not closed by {@link #close()} when it is {@link System#in}
     * @param width frame width
     * @param height frame height
     * @param fps nominal frame rate, used for timestamps
     * @param preprocessor makes the network input of each frame
     */
    RawRgbSource(String name, InputStream in, int width, int height, double fps, FramePreprocessor preprocessor) {
        this.preprocessor = preprocessor;
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("raw frame size must be positive, found " + width + "x" + height);
        }
        if (!(fps > 0)) {
            throw new IllegalArgumentException("raw frame rate must be positive, found " + fps);
        }
        this.name = name;
        this.in = in;
        this.width = width;
        this.height = height;
        this.fps = fps;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open() {
        // nothing to start: bytes are read on demand
    }

    @Override
    public SourceFrame next() throws IOException {
        byte[] rgb = new byte[width * height * 3];
        int n = in.readNBytes(rgb, 0, rgb.length);
        if (n == 0) {
            return null;
        }
        if (n < rgb.length) {
            throw new IOException(name + " ended inside frame " + nextIndex + ": got " + n + " of " + rgb.length
                    + " bytes (" + width + "x" + height + " RGB24); check --size");
        }
        long index = nextIndex++;
        return new SourceFrame(index, Math.round(index * 1e6 / fps), width, height, rgb,
                preprocessor.apply(new RgbFrame(width, height, rgb)));
    }

    @Override
    public double frameRate() {
        return fps;
    }

    @Override
    public boolean live() {
        return false;
    }

    @Override
    public void close() throws IOException {
        if (in != System.in) {
            in.close();
        }
    }
}
