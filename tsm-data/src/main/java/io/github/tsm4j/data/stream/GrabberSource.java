package io.github.tsm4j.data.stream;

import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.core.stream.SourceFrame;
import io.github.tsm4j.data.image.RgbFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Frames decoded by FFmpeg (JavaCV's {@link FFmpegFrameGrabber}) from a file, a V4L2 camera device or
 * a network URL, converted to RGB24 by FFmpeg itself. Rows padded by FFmpeg are copied row by row.
 */
final class GrabberSource implements FrameSource {

    private final FramePreprocessor preprocessor;

    private final String name;
    private final String format;
    private final boolean live;
    private FFmpegFrameGrabber grabber;
    private long nextIndex;

    /**
     * @param name file path, device ({@code /dev/video0}) or URL
     * @param format FFmpeg input format ({@code "v4l2"} for cameras), or null to probe
     * @param live whether frames arrive in real time (cameras, network streams)
     * @param preprocessor makes the network input of each frame
     */
    GrabberSource(String name, String format, boolean live, FramePreprocessor preprocessor) {
        this.preprocessor = preprocessor;
        this.name = name;
        this.format = format;
        this.live = live;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open() throws IOException {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(name);
        if (format != null) {
            g.setFormat(format);
        }
        g.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        try {
            g.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            closeQuietly(g);
            throw new IOException("cannot open " + (live ? "stream " : "video ") + name + ": " + e.getMessage(), e);
        }
        if (g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
            closeQuietly(g);
            throw new IOException("cannot open video " + name + ": it has no video stream");
        }
        grabber = g;
    }

    @Override
    public SourceFrame next() throws IOException {
        if (grabber == null) {
            throw new IllegalStateException("source " + name + " is not open");
        }
        Frame frame;
        try {
            frame = grabber.grabImage();
        } catch (FrameGrabber.Exception e) {
            throw new IOException("cannot decode frame " + nextIndex + " of " + name + ": " + e.getMessage(), e);
        }
        if (frame == null || frame.image == null) {
            return null;
        }
        int w = frame.imageWidth;
        int h = frame.imageHeight;
        int rowBytes = w * 3;
        byte[] rgb = new byte[rowBytes * h];
        ByteBuffer src = ((ByteBuffer) frame.image[0]).duplicate();
        int stride = frame.imageStride;
        for (int y = 0; y < h; y++) {
            src.position(y * stride);
            src.get(rgb, y * rowBytes, rowBytes);
        }
        long index = nextIndex++;
        return new SourceFrame(index, frame.timestamp, w, h, rgb,
                preprocessor.apply(new RgbFrame(w, h, rgb)));
    }

    @Override
    public double frameRate() {
        double fps = grabber == null ? Double.NaN : grabber.getFrameRate();
        return fps > 0 && Double.isFinite(fps) ? fps : Double.NaN;
    }

    @Override
    public boolean live() {
        return live;
    }

    @Override
    public void close() throws IOException {
        if (grabber != null) {
            try {
                grabber.close();
            } catch (FrameGrabber.Exception e) {
                throw new IOException("cannot close " + name + ": " + e.getMessage(), e);
            } finally {
                grabber = null;
            }
        }
    }

    private static void closeQuietly(FFmpegFrameGrabber g) {
        try {
            g.close();
        } catch (FrameGrabber.Exception | RuntimeException ignored) {
            // the open failure is what the user needs to see
        }
    }
}
