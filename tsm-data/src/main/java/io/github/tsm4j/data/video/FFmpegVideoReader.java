package io.github.tsm4j.data.video;

import io.github.tsm4j.data.image.ImageOps;
import io.github.tsm4j.data.image.RgbFrame;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * Decodes a video file (webm VP8/VP9, mp4 H.264/MPEG-4, avi, mkv, ... whatever the bundled FFmpeg
 * reads) with JavaCV's {@link FFmpegFrameGrabber}, returning exact frames by 0-based index.
 *
 * <p>How the JavaCV traps are handled: the grabber is asked for RGB24 (it defaults to BGR); rows are
 * copied with the real stride (JavaCV pads rows and then misreports the channel count); frames are
 * reached by decoding sequentially, never by {@code setVideoFrameNumber} (which lands one frame early);
 * frames that are not asked for are decoded without colour conversion; every frame kept is copied
 * before the next grab overwrites it; {@link #frameCount()} counts decodable frames rather than
 * trusting {@code getLengthInFrames()} (a rounded {@code duration × fps}, absent for many webm files).
 *
 * <p>FFmpeg's own log is set to {@code AV_LOG_QUIET} when this class loads (broken inputs would
 * otherwise flood stderr); {@link FFmpegLogLevel#showFFmpegLog()} turns FFmpeg's messages back on
 * ({@code tsm} CLI: {@code -Dtsm4j.ffmpeg.log=true}).
 *
 * <p>Not thread-safe: one reader per thread.
 */
public final class FFmpegVideoReader implements VideoReader {

    static {
        FFmpegLogLevel.init();
    }

    private final Path path;
    private final FFmpegFrameGrabber grabber;
    private final int width;
    private final int height;
    private final double frameRate;
    private final OptionalInt declared;
    /** Index of the frame the next grab returns. */
    private int position;
    /** Verified frame count, or -1 while unknown. */
    private int count = -1;
    /** Video packets counted by demuxing, or -1 while unknown. */
    private int packets = -1;
    private boolean closed;

    private FFmpegVideoReader(Path path, FFmpegFrameGrabber grabber) {
        this.path = path;
        this.grabber = grabber;
        this.width = grabber.getImageWidth();
        this.height = grabber.getImageHeight();
        this.frameRate = grabber.getVideoFrameRate() > 0 ? grabber.getVideoFrameRate() : grabber.getFrameRate();
        int claimed = grabber.getLengthInVideoFrames();
        this.declared = claimed > 0 ? OptionalInt.of(claimed) : OptionalInt.empty();
    }

    /**
     * Decoder threads used by {@link #open(Path)}: 0, FFmpeg's automatic choice (JavaCV's default). On
     * the 2-core test machine under load, automatic threading decoded a 298×224 VP9 file 3–4× and H.264
     * 2× faster than one thread (one video at a time; the machine's other load favours more threads, so
     * treat the ratio as rough).
     */
    public static final int DEFAULT_DECODER_THREADS = 0;

    /**
     * Opens a video file with {@link #DEFAULT_DECODER_THREADS} decoder threads.
     *
     * @param path the file
     * @return the reader, positioned before frame 0
     * @throws VideoDecodeException when the file is missing, not a video, or has no video stream
     */
    public static FFmpegVideoReader open(Path path) {
        return open(path, DEFAULT_DECODER_THREADS);
    }

    /**
     * Opens a video file.
     *
     * @param path the file
     * @param decoderThreads FFmpeg decoder threads, or 0 for FFmpeg's automatic choice (one video at a time)
     * @return the reader, positioned before frame 0
     * @throws VideoDecodeException when the file is missing, not a video, or has no video stream
     */
    public static FFmpegVideoReader open(Path path, int decoderThreads) {
        if (decoderThreads < 0) {
            throw new IllegalArgumentException("decoderThreads must be >= 0, found " + decoderThreads);
        }
        if (!Files.exists(path)) {
            throw new VideoDecodeException(path, "no such video file");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new VideoDecodeException(path, "not a readable file");
        }
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(path.toFile());
        g.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        g.setVideoOption("threads", decoderThreads == 0 ? "auto" : Integer.toString(decoderThreads));
        try {
            g.start();
        } catch (Exception | LinkageError e) {
            releaseQuietly(g);
            throw new VideoDecodeException(path, "cannot open as a video (" + tidy(e.getMessage()) + ")", e);
        }
        if (g.getVideoStream() < 0 || g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
            releaseQuietly(g);
            throw new VideoDecodeException(path, "contains no video stream");
        }
        return new FFmpegVideoReader(path, g);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public synchronized int frameCount() {
        ensureOpen();
        if (count < 0) {
            rewind();
            int n = 0;
            while (grabVideo(false) != null) {
                n++;
            }
            count = n;
            position = n;
        }
        return count;
    }

    /**
     * Counts the video stream's packets by demuxing the file without decoding (about a hundred times
     * cheaper than {@link #frameCount()}), then rewinds. For intact files of the usual codecs (VP8, VP9,
     * H.264, MPEG-4, MJPEG) each packet is one displayed frame; {@link #read} still checks every index
     * it decodes, so a file whose tail does not decode fails there and leaves the verified count in
     * {@link #frameCount()}. Returns the verified count instead when it is already known.
     *
     * @return the number of video packets
     */
    @Override
    public synchronized int quickFrameCount() {
        ensureOpen();
        if (count >= 0) {
            return count;
        }
        if (packets < 0) {
            if (position > 0) {
                rewind();
            }
            int n = 0;
            int stream = grabber.getVideoStream();
            try {
                AVPacket pkt;
                while ((pkt = grabber.grabPacket()) != null) {
                    if (pkt.stream_index() == stream && pkt.size() > 0) {
                        n++;
                    }
                    avcodec.av_packet_unref(pkt);
                }
            } catch (Exception e) {
                throw new VideoDecodeException(path, "demuxing failed (" + tidy(e.getMessage()) + ")", e);
            }
            packets = n;
            rewind();
        }
        return packets;
    }

    /** @return the verified frame count if known without decoding further, else empty */
    public OptionalInt knownFrameCount() {
        return count < 0 ? OptionalInt.empty() : OptionalInt.of(count);
    }

    @Override
    public OptionalInt declaredFrameCount() {
        return declared;
    }

    @Override
    public double frameRate() {
        return frameRate;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    /** @return the name of the video codec FFmpeg opened (e.g. {@code vp9}, {@code h264}) */
    public String codecName() {
        String name = grabber.getVideoCodecName();
        if (name != null) {
            return name;
        }
        return avcodec.avcodec_get_name(grabber.getVideoCodec()).getString();
    }

    @Override
    public synchronized List<RgbFrame> read(int[] frameIndices, int shortSide) {
        ensureOpen();
        for (int i : frameIndices) {
            if (i < 0) {
                throw new IllegalArgumentException(path + ": frame index must be >= 0, found " + i);
            }
        }
        if (count >= 0) {
            VideoReader.checkIndices(path, frameIndices, count);
        }
        int[] wanted = Arrays.stream(frameIndices).distinct().sorted().toArray();
        if (wanted.length == 0) {
            return List.of();
        }
        if (position > wanted[0]) {
            rewind();
        }
        Map<Integer, RgbFrame> got = new HashMap<>();
        for (int w : wanted) {
            while (position < w) {
                if (grabVideo(false) == null) {
                    endReached(w);
                }
                position++;
            }
            Frame f = grabVideo(true);
            if (f == null || f.image == null) {
                endReached(w);
            }
            position++;
            got.put(w, copy(f, shortSide));
        }
        List<RgbFrame> out = new ArrayList<>(frameIndices.length);
        for (int i : frameIndices) {
            out.add(got.get(i));
        }
        return out;
    }

    /**
     * Decodes every frame from the start, in order, handing each (copied, optionally scaled) to
     * {@code consumer}; afterwards {@link #frameCount()} is known without another pass.
     *
     * @param shortSide target short side, or 0 for native size
     * @param consumer receives frame index and frame
     * @return the number of frames decoded
     */
    public synchronized int readAll(int shortSide, java.util.function.ObjIntConsumer<RgbFrame> consumer) {
        ensureOpen();
        if (position > 0) {
            rewind();
        }
        Frame f;
        while ((f = grabVideo(true)) != null) {
            if (f.image == null) {
                continue;
            }
            consumer.accept(copy(f, shortSide), position);
            position++;
        }
        count = position;
        return count;
    }

    private void endReached(int wanted) {
        count = position;
        throw new VideoDecodeException(path, "frame " + wanted + " requested but the video has only "
                + position + " decodable frame(s)");
    }

    private RgbFrame copy(Frame f, int shortSide) {
        if (f.imageDepth != Frame.DEPTH_UBYTE) {
            throw new VideoDecodeException(path, "unexpected frame depth " + f.imageDepth);
        }
        ByteBuffer buf = (ByteBuffer) f.image[0];
        return ImageOps.fromStridedRgb(buf, f.imageWidth, f.imageHeight, f.imageStride, shortSide);
    }

    private Frame grabVideo(boolean convert) {
        try {
            return grabber.grabFrame(false, true, convert, false, false);
        } catch (Exception e) {
            throw new VideoDecodeException(path, "decoding failed at frame " + position + " (" + tidy(e.getMessage()) + ")", e);
        }
    }

    private void rewind() {
        try {
            grabber.restart();
        } catch (Exception e) {
            throw new VideoDecodeException(path, "cannot rewind (" + e.getMessage() + ")", e);
        }
        position = 0;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(path + ": reader is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            releaseQuietly(grabber);
        }
    }

    /** Drops JavaCV's generic hints from an FFmpeg error message. */
    static String tidy(String message) {
        if (message == null) {
            return "no details";
        }
        return message.replace(" (For more details, make sure FFmpegLogCallback.set() has been called.)", "")
                .replace(" (Has setFormat() been called?)", "").trim();
    }

    private static void releaseQuietly(FFmpegFrameGrabber g) {
        try {
            g.close();
        } catch (Exception ignored) {
            // closing a half-opened grabber can fail; nothing is left to release then
        }
    }
}
