package io.github.tsm4j.data.stream;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.stream.FrameSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Frame sources for online recognition, named as a user names them (the {@code SOURCE} argument of
 * {@code tsm stream}); every frame comes preprocessed for the model's {@link InputSpec} by {@link FramePreprocessor}:
 * <ul>
 *   <li>{@code -}: raw RGB24 frames on stdin (size required);</li>
 *   <li>{@code /dev/videoN}: a V4L2 camera through FFmpeg;</li>
 *   <li>{@code rtsp://}, {@code rtmp://}, {@code http(s)://}, {@code udp://}, {@code tcp://}: a live network stream;</li>
 *   <li>anything else: a video file, which must exist.</li>
 * </ul>
 * Checks that need no decoding (missing file, missing device, unknown URL scheme) fail here, naming the source.
 */
public final class FrameSources {

    /** The argument that selects raw frames on stdin. */
    public static final String STDIN = "-";

    private FrameSources() {}

    /**
     * Whether a source argument is a live source (camera or network stream), for which real-time mode
     * is the default.
     *
     * @param spec the SOURCE argument
     * @return true for cameras and network URLs
     */
    public static boolean isLive(String spec) {
        return isCamera(spec) || isNetwork(spec);
    }

    /**
     * Creates (does not open) the source a location names: a video file, {@code /dev/videoN} or a network URL.
     *
     * @param location file path, camera device or URL
     * @param spec the model's input description (frames are scaled, cropped and normalised for it)
     * @return the source
     * @throws IOException if the file or device does not exist or the scheme is unsupported
     */
    public static FrameSource create(String location, InputSpec spec) throws IOException {
        if (STDIN.equals(location)) {
            throw new IllegalArgumentException("source '-' (raw RGB24 frames on stdin) needs a frame size: use "
                    + "rawRgb(...)");
        }
        return create(location, spec, null, 0, 0, 0);
    }

    /**
     * Raw RGB24 frames from a byte stream ({@code width · height · 3} bytes per frame, no header).
     *
     * @param name name for messages ({@code "-"} for stdin)
     * @param in the bytes ({@link System#in} is never closed)
     * @param width frame width
     * @param height frame height
     * @param fps nominal frame rate (timestamps are {@code index / fps})
     * @param spec the model's input description
     * @return the source
     */
    public static FrameSource rawRgb(String name, InputStream in, int width, int height, double fps, InputSpec spec) {
        return new RawRgbSource(name, in, width, height, fps, new FramePreprocessor(spec));
    }

    /**
     * Creates (does not open) the source named by a {@code tsm stream} argument.
     *
     * @param location the SOURCE argument
     * @param spec the model's input description
     * @param stdin the stream read for {@code -}
     * @param rawWidth frame width for {@code -}, or 0 if not given
     * @param rawHeight frame height for {@code -}, or 0 if not given
     * @param rawFps nominal frame rate for {@code -}
     * @return the source
     * @throws IOException if the file or device does not exist or the scheme is unsupported
     */
    public static FrameSource create(String location, InputSpec spec, InputStream stdin, int rawWidth, int rawHeight,
            double rawFps) throws IOException {
        FramePreprocessor preprocessor = new FramePreprocessor(spec);
        if (STDIN.equals(location)) {
            if (rawWidth <= 0 || rawHeight <= 0) {
                throw new IllegalArgumentException("source '-' (raw RGB24 frames on stdin) needs --size WxH");
            }
            return new RawRgbSource(STDIN, stdin, rawWidth, rawHeight, rawFps, preprocessor);
        }
        if (isCamera(location)) {
            if (!Files.exists(Path.of(location))) {
                throw new IOException("camera " + location + " not found (no such device; is a camera attached and "
                        + "readable by this user?)");
            }
            return new GrabberSource(location, "v4l2", true, preprocessor);
        }
        if (isNetwork(location)) {
            return new GrabberSource(location, null, true, preprocessor);
        }
        int scheme = location.indexOf("://");
        if (scheme > 0) {
            throw new IOException("unsupported source " + location + ": expected a video file, /dev/videoN, '-', "
                    + "or an rtsp/rtmp/http/https/udp/tcp URL");
        }
        Path path = Path.of(location);
        if (!Files.exists(path)) {
            throw new IOException("video " + location + " not found");
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("unsupported source " + location + ": not a regular file");
        }
        return new GrabberSource(location, null, false, preprocessor);
    }

    private static boolean isCamera(String spec) {
        return spec.startsWith("/dev/video");
    }

    private static boolean isNetwork(String spec) {
        String s = spec.toLowerCase(Locale.ROOT);
        return s.startsWith("rtsp://") || s.startsWith("rtmp://") || s.startsWith("http://")
                || s.startsWith("https://") || s.startsWith("udp://") || s.startsWith("tcp://");
    }
}
