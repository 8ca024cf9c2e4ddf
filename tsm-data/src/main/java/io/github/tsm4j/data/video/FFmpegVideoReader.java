package io.github.tsm4j.data.video;

import io.github.tsm4j.core.clip.FrameTiming;
import io.github.tsm4j.core.ResizeMethod;
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
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * Decodes a video file (webm VP8/VP9, mp4 H.264/MPEG-4, avi, mkv, ... whatever the bundled FFmpeg
 * reads) with JavaCV's {@link FFmpegFrameGrabber}, returning exact frames by 0-based index.
 *
 * <p>Frame indices follow the reader's {@link FrameTiming}: {@link FrameTiming#CONSTANT_RATE} (default)
 * numbers the frames of ffmpeg's constant-rate extraction ({@link ConstantRateTimeline}, computed from the
 * packets' timestamps by one demuxing pass, without decoding), {@link FrameTiming#DECODE_ORDER} the
 * decoded frames. Either way, frames are reached by decoding sequentially.
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
    private final FrameTiming timing;
    /** Index of the decoded frame the next grab returns. */
    private int position;
    /** Verified number of decodable frames, or -1 while unknown. */
    private int count = -1;
    /** Video packets counted by demuxing, or -1 while unknown. */
    private int packets = -1;
    /** Presentation timestamps (stream time base) of the packets, ascending; null before the scan. */
    private long[] packetPts;
    /** {@link #packetPts} in microseconds, as JavaCV stamps decoded frames. */
    private long[] packetMicros;
    /** Packet durations in the order of {@link #packetPts}. */
    private long[] packetDurations;
    /** Constant-rate output frame to decoded frame, built from {@link #timelineSources} decoded frames. */
    private int[] timeline;
    private int timelineSources = -1;
    private boolean closed;

    private FFmpegVideoReader(Path path, FFmpegFrameGrabber grabber, FrameTiming timing) {
        this.path = path;
        this.grabber = grabber;
        this.timing = timing;
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
        return open(path, decoderThreads, FrameTiming.CONSTANT_RATE);
    }

    /**
     * Opens a video file.
     *
     * @param path the file
     * @param decoderThreads FFmpeg decoder threads, or 0 for FFmpeg's automatic choice (one video at a time)
     * @param timing what frame indices mean
     * @return the reader, positioned before frame 0
     * @throws VideoDecodeException when the file is missing, not a video, or has no video stream
     */
    public static FFmpegVideoReader open(Path path, int decoderThreads, FrameTiming timing) {
        if (timing == null) {
            throw new IllegalArgumentException("timing must not be null");
        }
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
        return new FFmpegVideoReader(path, g, timing);
    }

    @Override
    public Path path() {
        return path;
    }

    /** @return what frame indices mean for this reader */
    public FrameTiming timing() {
        return timing;
    }

    /**
     * The exact number of frames: decodes the whole video once (without colour conversion) the first
     * time; for {@link FrameTiming#CONSTANT_RATE} the number of constant-rate frames those decodable
     * frames give.
     *
     * @return the verified frame count (0 when nothing decodes)
     */
    @Override
    public synchronized int frameCount() {
        ensureOpen();
        if (count < 0) {
            if (timing != FrameTiming.DECODE_ORDER) {
                scan();
            }
            rewind();
            Frame f;
            while ((f = grabVideo(false)) != null) {
                position = identify(f.timestamp) + 1;
            }
            count = position;
        }
        return timing == FrameTiming.DECODE_ORDER ? count : timeline().length;
    }

    /**
     * Counts frames by demuxing the file without decoding (about a hundred times cheaper than
     * {@link #frameCount()}), then rewinds: the video stream's packets ({@link FrameTiming#DECODE_ORDER}),
     * or the constant-rate frames their timestamps give. For intact files of the usual codecs (VP8, VP9,
     * H.264, MPEG-4, MJPEG) each packet is one displayed frame; {@link #read} still checks every frame
     * it decodes, so a file whose tail does not decode fails there and leaves the verified count in
     * {@link #frameCount()}. Returns the verified count instead when it is already known.
     *
     * @return the quick frame count
     */
    @Override
    public synchronized int quickFrameCount() {
        ensureOpen();
        if (timing != FrameTiming.DECODE_ORDER) {
            return timeline().length;
        }
        if (count >= 0) {
            return count;
        }
        scan();
        return packets;
    }

    /** Demuxes every packet once (no decoding), keeping the video packets' timestamps and durations. */
    private void scan() {
        if (packetPts != null) {
            return;
        }
        if (position > 0) {
            rewind();
        }
        int stream = grabber.getVideoStream();
        long[] pts = new long[256];
        long[] dur = new long[256];
        int n = 0;
        try {
            AVPacket pkt;
            while ((pkt = grabber.grabPacket()) != null) {
                if (pkt.stream_index() == stream && pkt.size() > 0) {
                    if (n == pts.length) {
                        pts = Arrays.copyOf(pts, 2 * n);
                        dur = Arrays.copyOf(dur, 2 * n);
                    }
                    pts[n] = pkt.pts() != avutil.AV_NOPTS_VALUE ? pkt.pts() : pkt.dts();
                    dur[n] = pkt.duration();
                    n++;
                }
                avcodec.av_packet_unref(pkt);
            }
        } catch (Exception e) {
            throw new VideoDecodeException(path, "demuxing failed (" + tidy(e.getMessage()) + ")", e);
        }
        // presentation order: sort (pts, duration) pairs by pts
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        final long[] p = pts;
        Arrays.sort(order, (a, b) -> Long.compare(p[a], p[b]));
        packetPts = new long[n];
        packetDurations = new long[n];
        for (int i = 0; i < n; i++) {
            packetPts[i] = pts[order[i]];
            packetDurations[i] = dur[order[i]];
        }
        AVRational tb = grabber.getFormatContext().streams(stream).time_base();
        packetMicros = new long[n];
        for (int i = 0; i < n; i++) {
            packetMicros[i] = 1000000L * packetPts[i] * tb.num() / tb.den();
        }
        packets = n;
        rewind();
    }

    /** The constant-rate timeline over the decodable frames (all packets until decoding proves fewer). */
    private int[] timeline() {
        scan();
        int sources = count >= 0 ? Math.min(count, packets) : packets;
        if (timeline == null || timelineSources != sources) {
            AVFormatContext fc = grabber.getFormatContext();
            AVStream st = fc.streams(grabber.getVideoStream());
            AVRational tb = st.time_base();
            AVRational rate = avformat.av_guess_frame_rate(fc, st, null);
            if (rate.num() <= 0 || rate.den() <= 0) {
                throw new VideoDecodeException(path, "no frame rate for constant-rate frames (found "
                        + rate.num() + "/" + rate.den() + "); open it with FrameTiming.DECODE_ORDER");
            }
            long start = fc.start_time() == avutil.AV_NOPTS_VALUE ? 0 : fc.start_time();
            timeline = ConstantRateTimeline.sourceFrames(new ConstantRateTimeline.Input(
                    Arrays.copyOf(packetPts, sources), Arrays.copyOf(packetDurations, sources), tb.num(), tb.den(),
                    rate.num(), rate.den(), start, fc.nb_streams() == 1, timing == FrameTiming.CONSTANT_RATE));
            timelineSources = sources;
        }
        return timeline;
    }

    /**
     * The decoded frame (0-based, presentation order) that frame index {@code i} shows.
     *
     * @param frameIndex a frame index of this reader's timing
     * @return the decoded frame index
     * @throws VideoDecodeException when the index is past the last frame
     */
    public synchronized int decodedIndex(int frameIndex) {
        ensureOpen();
        if (frameIndex < 0) {
            throw new IllegalArgumentException(path + ": frame index must be >= 0, found " + frameIndex);
        }
        if (timing == FrameTiming.DECODE_ORDER) {
            return frameIndex;
        }
        int[] t = timeline();
        if (frameIndex >= t.length) {
            throw pastTheEnd(frameIndex, t.length);
        }
        return t[frameIndex];
    }

    @Override
    public synchronized double[] timestampsSeconds(int[] frameIndices) {
        ensureOpen();
        scan();
        AVFormatContext fc = grabber.getFormatContext();
        AVRational tb = fc.streams(grabber.getVideoStream()).time_base();
        double start = fc.start_time() == avutil.AV_NOPTS_VALUE ? 0 : fc.start_time() / 1e6;
        double[] out = new double[frameIndices.length];
        for (int i = 0; i < out.length; i++) {
            int s = decodedIndex(frameIndices[i]);
            if (s >= packets) {
                throw pastTheEnd(frameIndices[i], packets);
            }
            out[i] = packetPts[s] * (double) tb.num() / tb.den() - start;
        }
        return out;
    }

    private VideoDecodeException pastTheEnd(int frameIndex, int frames) {
        return new VideoDecodeException(path, "frame " + frameIndex + " requested but the video has only " + frames
                + (timing == FrameTiming.DECODE_ORDER ? " decodable frame(s)" : " frame(s) at its constant rate"));
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
    public synchronized List<RgbFrame> read(int[] frameIndices, int shortSide, ResizeMethod method) {
        ensureOpen();
        for (int i : frameIndices) {
            if (i < 0) {
                throw new IllegalArgumentException(path + ": frame index must be >= 0, found " + i);
            }
        }
        if (timing == FrameTiming.DECODE_ORDER && count >= 0) {
            VideoReader.checkIndices(path, frameIndices, count);
        }
        int[] sources = new int[frameIndices.length];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = decodedIndex(frameIndices[i]);
        }
        int[] wanted = Arrays.stream(sources).distinct().sorted().toArray();
        if (wanted.length == 0) {
            return List.of();
        }
        if (position > wanted[0]) {
            rewind();
        }
        Map<Integer, RgbFrame> got = new HashMap<>();
        boolean convertAll = false;
        for (int k = 0; k < wanted.length; k++) {
            int w = wanted[k];
            while (true) {
                if (position > w) {
                    if (!convertAll) {
                        // a damaged stream skipped frames while we decoded without conversion: redo with conversion
                        convertAll = true;
                        rewind();
                        continue;
                    }
                    throw new VideoDecodeException(path, "decoded frame " + w + " (at " + secondsOf(w)
                            + " s) does not decode: the decoder went from frame " + (w - 1) + " to a later one");
                }
                boolean convert = convertAll || position == w;
                Frame f = grabVideo(convert);
                if (f == null || (convert && f.image == null)) {
                    endReached(frameIndices, sources, w);
                }
                int actual = identify(f.timestamp);
                position = actual + 1;
                if (actual == w) {
                    if (!convert) { // only when the frame's number jumped ahead of the count
                        convertAll = true;
                        rewind();
                        continue;
                    }
                    got.put(w, copy(f, shortSide, method));
                    break;
                }
            }
        }
        List<RgbFrame> out = new ArrayList<>(frameIndices.length);
        for (int s : sources) {
            out.add(got.get(s));
        }
        return out;
    }

    /**
     * Decodes every frame from the start, in order, handing each (copied, optionally scaled with the
     * default resize) to {@code consumer}; afterwards {@link #frameCount()} is known without another pass.
     *
     * @param shortSide target short side, or 0 for native size
     * @param consumer receives frame index and frame
     * @return the number of frames handed over
     */
    public synchronized int readAll(int shortSide, java.util.function.ObjIntConsumer<RgbFrame> consumer) {
        return readAll(shortSide, io.github.tsm4j.core.InputSpec.DEFAULT_RESIZE, consumer);
    }

    /**
     * Decodes every frame from the start, in order, handing each frame of this reader's timing (copied,
     * optionally scaled) to {@code consumer}: with {@link FrameTiming#CONSTANT_RATE} a decoded frame is
     * handed over as many times as the constant-rate extraction shows it (the same object), or not at
     * all. Afterwards {@link #frameCount()} is known without another pass.
     *
     * @param shortSide target short side, or 0 for native size
     * @param method the resize method
     * @param consumer receives frame index and frame
     * @return the number of frames handed over
     */
    public synchronized int readAll(int shortSide, ResizeMethod method, java.util.function.ObjIntConsumer<RgbFrame> consumer) {
        ensureOpen();
        int[] t = timing == FrameTiming.DECODE_ORDER ? null : timeline();
        if (position > 0) {
            rewind();
        }
        int next = 0; // next output frame (constant rate)
        RgbFrame last = null;
        Frame f;
        while ((f = grabVideo(true)) != null) {
            if (f.image == null) {
                continue;
            }
            if (t == null) {
                consumer.accept(copy(f, shortSide, method), position);
                position++;
            } else {
                int actual = identify(f.timestamp);
                if (next < t.length && t[next] < actual) {
                    throw new VideoDecodeException(path, "decoded frame " + t[next] + " (at " + secondsOf(t[next])
                            + " s) does not decode: the decoder went from frame " + (t[next] - 1) + " to a later one");
                }
                position = actual + 1;
                last = copy(f, shortSide, method);
                while (next < t.length && t[next] == actual) {
                    consumer.accept(last, next++);
                }
            }
        }
        count = position;
        if (t == null) {
            return count;
        }
        // fewer decodable frames than packets: the timeline's tail changes (its end repeats the last frame)
        int[] verified = timeline();
        while (next < verified.length && verified[next] == position - 1 && last != null) {
            consumer.accept(last, next++);
        }
        if (next < verified.length) {
            throw new VideoDecodeException(path, "constant-rate frame " + next + " shows decoded frame "
                    + verified[next] + ", which was not decoded in order");
        }
        return verified.length;
    }

    /**
     * The decoded-frame index of the frame just grabbed: with constant-rate timing, the packet whose
     * timestamp it carries (so a damaged stream whose decoder skips a frame cannot shift every later
     * frame by one); otherwise, or when the timestamp is not a packet's, the count so far.
     */
    private int identify(long timestampMicros) {
        if (timing != FrameTiming.DECODE_ORDER && packetMicros != null) {
            int i = Arrays.binarySearch(packetMicros, timestampMicros);
            if (i >= 0) {
                int lo = i;
                while (lo > 0 && packetMicros[lo - 1] == timestampMicros) {
                    lo--;
                }
                if (lo > position) {
                    return lo; // the decoder skipped frames
                }
                // frames sharing a timestamp: counted in order; an earlier frame's timestamp: keep counting
            }
        }
        return position;
    }

    private String secondsOf(int decoded) {
        return packetMicros == null || decoded >= packetMicros.length ? "?"
                : String.format(java.util.Locale.ROOT, "%.3f", packetMicros[decoded] / 1e6);
    }

    private void endReached(int[] frameIndices, int[] sources, int wanted) {
        count = position;
        int asked = wanted;
        for (int i = 0; i < sources.length; i++) {
            if (sources[i] == wanted) {
                asked = frameIndices[i];
                break;
            }
        }
        throw pastTheEnd(asked, timing == FrameTiming.DECODE_ORDER ? position : timeline().length);
    }

    private RgbFrame copy(Frame f, int shortSide, ResizeMethod method) {
        if (f.imageDepth != Frame.DEPTH_UBYTE) {
            throw new VideoDecodeException(path, "unexpected frame depth " + f.imageDepth);
        }
        ByteBuffer buf = (ByteBuffer) f.image[0];
        return ImageOps.fromStridedRgb(buf, f.imageWidth, f.imageHeight, f.imageStride, shortSide, method);
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
