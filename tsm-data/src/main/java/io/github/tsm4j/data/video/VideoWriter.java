package io.github.tsm4j.data.video;

import io.github.tsm4j.data.image.RgbFrame;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Writes RGB frames as a video with JavaCV's {@link FFmpegFrameRecorder} (for the synthetic dataset and
 * tests). The codecs listed are the ones the bundled FFmpeg 5.0 (javacv 1.5.7, linux-x86_64) can
 * encode; it has no Theora encoder, so ogv files can be read but not written.
 */
public final class VideoWriter {
    static {
        FFmpegLogLevel.init();
    }

    private VideoWriter() {}

    /** Container + encoder combinations the bundled FFmpeg writes. */
    public enum Codec {
        /** webm, VP8 (libvpx), yuv420p. */
        VP8("webm", "libvpx", avutil.AV_PIX_FMT_YUV420P),
        /** webm, VP9 (libvpx-vp9), yuv420p. */
        VP9("webm", "libvpx-vp9", avutil.AV_PIX_FMT_YUV420P),
        /** webm, VP9 lossless in yuv444p: frames decode to the written RGB up to colour-space rounding. */
        VP9_LOSSLESS("webm", "libvpx-vp9", avutil.AV_PIX_FMT_YUV444P),
        /** mp4, MPEG-4 part 2. */
        MPEG4_MP4("mp4", "mpeg4", avutil.AV_PIX_FMT_YUV420P),
        /** mp4, H.264 (libx264). */
        H264_MP4("mp4", "libx264", avutil.AV_PIX_FMT_YUV420P),
        /** avi, MPEG-4 part 2. */
        MPEG4_AVI("avi", "mpeg4", avutil.AV_PIX_FMT_YUV420P),
        /** avi, Motion JPEG. */
        MJPEG_AVI("avi", "mjpeg", avutil.AV_PIX_FMT_YUVJ420P),
        /** mkv (Matroska), VP9. */
        VP9_MKV("matroska", "libvpx-vp9", avutil.AV_PIX_FMT_YUV420P),
        /** mkv (Matroska), H.264. */
        H264_MKV("matroska", "libx264", avutil.AV_PIX_FMT_YUV420P),
        /** mkv (Matroska), FFV1 (lossless). */
        FFV1_MKV("matroska", "ffv1", avutil.AV_PIX_FMT_YUV444P);

        private final String format;
        private final String encoder;
        private final int pixelFormat;

        Codec(String format, String encoder, int pixelFormat) {
            this.format = format;
            this.encoder = encoder;
            this.pixelFormat = pixelFormat;
        }

        /** @return the FFmpeg muxer name */
        public String format() {
            return format;
        }

        /** @return the FFmpeg encoder name */
        public String encoder() {
            return encoder;
        }

        /** @return the usual file extension, with its dot */
        public String extension() {
            return switch (format) {
                case "matroska" -> ".mkv";
                default -> "." + format;
            };
        }
    }

    /**
     * Writes frames to a video file.
     *
     * @param file destination (parent folders are created)
     * @param frames frames, all the same size (even width and height for 4:2:0 codecs)
     * @param fps frame rate
     * @param codec container and encoder
     * @throws VideoDecodeException naming the file when FFmpeg cannot write it
     */
    public static void write(Path file, List<RgbFrame> frames, double fps, Codec codec) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException(file + ": no frames to write");
        }
        int w = frames.get(0).width();
        int h = frames.get(0).height();
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toFile(), w, h, 0)) {
                r.setFormat(codec.format);
                r.setVideoCodecName(codec.encoder);
                r.setPixelFormat(codec.pixelFormat);
                r.setFrameRate(fps);
                r.setGopSize(Math.max(1, frames.size()));
                switch (codec) {
                    case VP9_LOSSLESS -> {
                        r.setVideoOption("lossless", "1");
                        r.setVideoOption("deadline", "realtime");
                        r.setVideoOption("cpu-used", "8");
                    }
                    case VP8, VP9, VP9_MKV -> {
                        r.setVideoOption("crf", "10");
                        r.setVideoBitrate(0);
                        r.setVideoOption("deadline", "realtime");
                        r.setVideoOption("cpu-used", "8");
                    }
                    case H264_MP4, H264_MKV -> {
                        r.setVideoOption("crf", "12");
                        r.setVideoOption("preset", "ultrafast");
                    }
                    case MPEG4_MP4, MPEG4_AVI, MJPEG_AVI -> r.setVideoQuality(2);
                    case FFV1_MKV -> { }
                }
                r.start();
                try (Frame frame = new Frame(w, h, Frame.DEPTH_UBYTE, 3)) {
                    for (RgbFrame f : frames) {
                        if (f.width() != w || f.height() != h) {
                            throw new IllegalArgumentException(file + ": frames differ in size (" + w + "x" + h
                                    + " vs " + f.width() + "x" + f.height() + ")");
                        }
                        ByteBuffer b = (ByteBuffer) frame.image[0];
                        int row = w * 3;
                        for (int y = 0; y < h; y++) {
                            b.position(y * frame.imageStride);
                            b.put(f.pixels(), y * row, row);
                        }
                        b.position(0);
                        r.record(frame, avutil.AV_PIX_FMT_RGB24);
                    }
                }
                r.stop();
            }
        } catch (java.io.IOException e) {
            throw new VideoDecodeException(file, "cannot write " + codec + " video (" + e.getMessage() + ")", e);
        }
    }
}
