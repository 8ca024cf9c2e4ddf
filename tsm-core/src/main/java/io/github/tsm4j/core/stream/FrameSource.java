package io.github.tsm4j.core.stream;

import java.io.IOException;

/**
 * A sequence of frames for online recognition: a video file, a camera, a network stream or raw frames on stdin,
 * each frame decoded and already preprocessed for the model ({@link SourceFrame#input()}). tsm-data implements it
 * ({@code io.github.tsm4j.data.stream.FrameSources}); tsm-models' {@code StreamRecognizer} reads it on a background
 * thread of its own.
 *
 * <p>Not thread-safe: one reader at a time. Open before the first {@link #next()}, close when done.
 */
public interface FrameSource extends AutoCloseable {

    /** @return a short name for messages (the path, device, URL or {@code "-"}) */
    String name();

    /**
     * Opens the source (devices and decoders are started here, not in the constructor).
     *
     * @throws IOException naming the source if it cannot be opened
     */
    void open() throws IOException;

    /**
     * Decodes and preprocesses the next frame.
     *
     * @return the frame, or {@code null} at the end of the source
     * @throws IOException naming the source and frame if decoding fails
     */
    SourceFrame next() throws IOException;

    /** @return nominal frames per second, known after {@link #open()}; {@link Double#NaN} if unknown */
    double frameRate();

    /**
     * Whether frames arrive in real time whatever the reader does (a camera or network stream), as opposed to a
     * file that is decoded as fast as it is read.
     *
     * @return true for live sources
     */
    boolean live();

    @Override
    void close() throws IOException;
}
