package io.github.tsm4j.examples.stream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a {@code SOURCE} argument of {@code tsm stream} into a {@link FrameSource}:
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
     * Creates (does not open) the source named by an argument.
     *
     * @param spec the SOURCE argument
     * @param stdin the stream read for {@code -}
     * @param rawWidth frame width for {@code -}, or 0 if not given
     * @param rawHeight frame height for {@code -}, or 0 if not given
     * @param rawFps nominal frame rate for {@code -}
     * @return the source
     * @throws IOException if the file or device does not exist or the scheme is unsupported
     */
    public static FrameSource create(String spec, InputStream stdin, int rawWidth, int rawHeight, double rawFps)
            throws IOException {
        if (STDIN.equals(spec)) {
            if (rawWidth <= 0 || rawHeight <= 0) {
                throw new IllegalArgumentException("source '-' (raw RGB24 frames on stdin) needs --size WxH");
            }
            return new RawRgbSource(STDIN, stdin, rawWidth, rawHeight, rawFps);
        }
        if (isCamera(spec)) {
            if (!Files.exists(Path.of(spec))) {
                throw new IOException("camera " + spec + " not found (no such device; is a camera attached and "
                        + "readable by this user?)");
            }
            return new GrabberSource(spec, "v4l2", true);
        }
        if (isNetwork(spec)) {
            return new GrabberSource(spec, null, true);
        }
        int scheme = spec.indexOf("://");
        if (scheme > 0) {
            throw new IOException("unsupported source " + spec + ": expected a video file, /dev/videoN, '-', "
                    + "or an rtsp/rtmp/http/https/udp/tcp URL");
        }
        Path path = Path.of(spec);
        if (!Files.exists(path)) {
            throw new IOException("video " + spec + " not found");
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("unsupported source " + spec + ": not a regular file");
        }
        return new GrabberSource(spec, null, false);
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
