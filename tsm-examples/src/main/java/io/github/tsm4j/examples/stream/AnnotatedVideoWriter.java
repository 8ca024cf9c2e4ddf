package io.github.tsm4j.examples.stream;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;

import io.github.tsm4j.core.stream.SourceFrame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Writes the processed frames with the current label drawn on them, like the official demo's window:
 * the frame, and under it a white band with {@code label  probability} on the left and the frame rate on
 * the right (OpenCV {@code putText}, Hershey simplex). Encoding runs on its own thread behind a bounded
 * queue; when the encoder falls behind, {@link #write} waits (the file gets every processed frame).
 *
 * <p>Containers: {@code .mp4}, {@code .mov}, {@code .mkv}, {@code .avi} with MPEG-4 part 2 video, or
 * {@code .webm} with VP9 (both in the LGPL FFmpeg build JavaCV ships).
 */
public final class AnnotatedVideoWriter implements AutoCloseable {

    private record Job(SourceFrame frame, String left, String right) {}

    private static final Job END = new Job(null, null, null);

    private final Path path;
    private final int width;
    private final int height;
    private final int band;
    private final FFmpegFrameRecorder recorder;
    private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(8);
    private final Thread thread;
    private volatile Throwable failure;
    private long written;

    /**
     * Opens the output file.
     *
     * @param path output file; its extension picks the container and codec
     * @param width frame width of the source
     * @param height frame height of the source
     * @param fps frame rate written into the file
     * @throws IOException if the extension is unsupported or FFmpeg cannot create the file
     */
    public AnnotatedVideoWriter(Path path, int width, int height, double fps) throws IOException {
        this.path = path;
        this.width = width;
        this.height = height;
        // a band 1/10 of the height, as the demo; the total height even for yuv420p
        this.band = Math.max(24, height / 10) + ((height + Math.max(24, height / 10)) % 2);
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        int codec = switch (ext) {
            case "mp4", "mov", "mkv", "avi" -> avcodec.AV_CODEC_ID_MPEG4;
            case "webm" -> avcodec.AV_CODEC_ID_VP9;
            default -> throw new IOException("unsupported output " + path
                    + ": use a .mp4, .mov, .mkv, .avi or .webm file name");
        };
        int evenWidth = width + (width % 2);
        recorder = new FFmpegFrameRecorder(path.toString(), evenWidth, height + band);
        recorder.setFormat(ext.equals("mkv") ? "matroska" : ext);
        recorder.setVideoCodec(codec);
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        recorder.setFrameRate(fps > 0 && Double.isFinite(fps) ? fps : 25);
        if (codec == avcodec.AV_CODEC_ID_MPEG4) {
            recorder.setVideoQuality(3); // qscale: good quality at modest size
        } else {
            recorder.setVideoOption("deadline", "realtime");
            recorder.setVideoOption("cpu-used", "8");
            recorder.setVideoOption("crf", "32");
            recorder.setVideoBitrate(0);
        }
        try {
            recorder.start();
        } catch (FrameRecorder.Exception | RuntimeException e) {
            throw new IOException("cannot write " + path + ": " + e.getMessage(), e);
        }
        thread = new Thread(this::encodeLoop, "encode-" + path.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues one frame with its annotation.
     *
     * @param frame the source frame (same size as given to the constructor)
     * @param left text on the left of the band (the label)
     * @param right text on the right of the band (e.g. the frame rate)
     * @throws IOException if encoding has failed
     * @throws InterruptedException if interrupted while the queue is full
     */
    public void write(SourceFrame frame, String left, String right) throws IOException, InterruptedException {
        checkFailure();
        if (frame.width() != width || frame.height() != height) {
            throw new IllegalArgumentException("frame " + frame.index() + " is " + frame.width() + "x" + frame.height()
                    + ", the output " + path + " is " + width + "x" + height);
        }
        queue.put(new Job(frame, left, right));
    }

    /**
     * Frames written so far.
     *
     * @return count
     */
    public synchronized long written() {
        return written;
    }

    /** Flushes the queue and closes the file. */
    @Override
    public void close() throws IOException {
        try {
            queue.put(END);
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            recorder.close();
        } catch (FrameRecorder.Exception e) {
            throw new IOException("cannot finish " + path + ": " + e.getMessage(), e);
        }
        checkFailure();
    }

    private void checkFailure() throws IOException {
        Throwable t = failure;
        if (t != null) {
            throw new IOException("cannot write " + path + ": " + t.getMessage(), t);
        }
    }

    private void encodeLoop() {
        int outWidth = width + (width % 2);
        int outHeight = height + band;
        BytePointer pixels = new BytePointer((long) outWidth * outHeight * 3);
        Mat canvas = new Mat(outHeight, outWidth, CV_8UC3, pixels);
        OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
        double fontScale = Math.max(0.4, 0.7 * band / 48.0);
        int thickness = fontScale >= 0.6 ? 2 : 1;
        Scalar black = new Scalar(0, 0, 0, 0);
        byte[] white = new byte[band * outWidth * 3];
        java.util.Arrays.fill(white, (byte) 0xff);
        byte[] padPixel = new byte[3];
        try {
            while (true) {
                Job job = queue.take();
                if (job == END) {
                    return;
                }
                if (failure != null) {
                    continue; // keep draining so that write() never blocks forever
                }
                byte[] rgb = job.frame().rgb();
                long rowOut = (long) outWidth * 3;
                for (int y = 0; y < height; y++) {
                    pixels.position(y * rowOut).put(rgb, y * width * 3, width * 3);
                    if (outWidth != width) {
                        pixels.position(y * rowOut + width * 3L).put(padPixel, 0, 3);
                    }
                }
                pixels.position((long) height * rowOut).put(white, 0, white.length);
                pixels.position(0);
                int baseline = height + (band + textHeight(fontScale, thickness)) / 2;
                putText(canvas, job.left() == null ? "" : job.left(), new Point(4, baseline), FONT_HERSHEY_SIMPLEX, fontScale, black,
                        thickness, LINE_AA, false);
                if (job.right() != null && !job.right().isEmpty()) {
                    int w = textWidth(job.right(), fontScale, thickness);
                    putText(canvas, job.right(), new Point(Math.max(4, outWidth - w - 4), baseline),
                            FONT_HERSHEY_SIMPLEX, fontScale, black, thickness, LINE_AA, false);
                }
                Frame out = converter.convert(canvas);
                recorder.record(out, avutil.AV_PIX_FMT_RGB24);
                synchronized (this) {
                    written++;
                }
            }
        } catch (Throwable t) {
            failure = t;
            // drain until END so that writers blocked in put() are released
            try {
                while (queue.take() != END) {
                    // discard
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int textHeight(double scale, int thickness) {
        IntPointer base = new IntPointer(1);
        return getTextSize("Ag", FONT_HERSHEY_SIMPLEX, scale, thickness, base).height();
    }

    private static int textWidth(String s, double scale, int thickness) {
        IntPointer base = new IntPointer(1);
        return getTextSize(s, FONT_HERSHEY_SIMPLEX, scale, thickness, base).width();
    }
}
