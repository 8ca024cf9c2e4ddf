package io.github.tsm4j.examples.stream;

import java.io.IOException;

/**
 * A sequence of RGB frames: a video file, a camera, a network stream or raw frames on stdin. Not
 * thread-safe; {@link FrameDecoder} reads it from its own thread.
 */
public interface FrameSource extends AutoCloseable {

    /**
     * A short name for messages (the path, device or {@code "-"}).
     *
     * @return the name
     */
    String name();

    /**
     * Opens the source (devices and decoders are started here, not in the constructor).
     *
     * @throws IOException naming the source if it cannot be opened
     */
    void open() throws IOException;

    /**
     * Decodes the next frame.
     *
     * @return the frame, or {@code null} at the end of the source
     * @throws IOException naming the source if decoding fails
     */
    RgbFrame next() throws IOException;

    /**
     * Nominal frame rate, known after {@link #open()}.
     *
     * @return frames per second, or {@link Double#NaN} if unknown
     */
    double frameRate();

    /**
     * Whether frames arrive in real time whatever the reader does (a camera or network stream), as
     * opposed to a file that is decoded as fast as it is read.
     *
     * @return true for live sources
     */
    boolean live();

    @Override
    void close() throws IOException;
}
