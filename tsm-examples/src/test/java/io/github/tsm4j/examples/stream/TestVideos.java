package io.github.tsm4j.examples.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.IntFunction;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/** Small test videos written with FFmpeg: every frame one solid RGB colour. */
public final class TestVideos {
    private TestVideos() {}

    /**
     * Writes a video whose frame {@code i} is filled with {@code colour.apply(i)} = {r, g, b}.
     *
     * @param path .mp4 (MPEG-4) or .webm (VP9)
     * @param width frame width (even)
     * @param height frame height (even)
     * @param frames number of frames
     * @param fps frame rate
     * @param colour frame index → {r, g, b}
     * @return the path
     * @throws IOException if FFmpeg fails
     */
    public static Path write(Path path, int width, int height, int frames, double fps, IntFunction<int[]> colour)
            throws IOException {
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(path.toString(), width, height)) {
            boolean webm = path.toString().endsWith(".webm");
            rec.setFormat(webm ? "webm" : "mp4");
            rec.setVideoCodec(webm ? avcodec.AV_CODEC_ID_VP9 : avcodec.AV_CODEC_ID_MPEG4);
            rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            rec.setFrameRate(fps);
            rec.setVideoQuality(2);
            if (webm) {
                rec.setVideoOption("deadline", "realtime");
                rec.setVideoOption("cpu-used", "8");
            }
            rec.start();
            Frame frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3);
            for (int i = 0; i < frames; i++) {
                fill(frame, colour.apply(i));
                rec.record(frame, avutil.AV_PIX_FMT_RGB24);
            }
            rec.stop();
        }
        return path;
    }

    /**
     * Raw RGB24 bytes of solid-colour frames (what {@code ffmpeg -f rawvideo -pix_fmt rgb24} writes).
     *
     * @param width frame width
     * @param height frame height
     * @param frames number of frames
     * @param colour frame index → {r, g, b}
     * @return the bytes
     */
    public static byte[] raw(int width, int height, int frames, IntFunction<int[]> colour) {
        byte[] out = new byte[width * height * 3 * frames];
        for (int i = 0, p = 0; i < frames; i++) {
            int[] c = colour.apply(i);
            for (int j = 0; j < width * height; j++) {
                out[p++] = (byte) c[0];
                out[p++] = (byte) c[1];
                out[p++] = (byte) c[2];
            }
        }
        return out;
    }

    /**
     * Number of video frames FFmpeg decodes from a file.
     *
     * @param path the video
     * @return frames
     * @throws IOException if FFmpeg fails
     */
    public static int countFrames(Path path) throws IOException {
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(path.toString())) {
            g.start();
            int n = 0;
            while (g.grabImage() != null) {
                n++;
            }
            return n;
        }
    }

    private static void fill(Frame frame, int[] rgb) {
        ByteBuffer b = (ByteBuffer) frame.image[0];
        int stride = frame.imageStride;
        for (int y = 0; y < frame.imageHeight; y++) {
            for (int x = 0; x < frame.imageWidth; x++) {
                int p = y * stride + x * 3;
                b.put(p, (byte) rgb[0]).put(p + 1, (byte) rgb[1]).put(p + 2, (byte) rgb[2]);
            }
        }
    }
}
