package io.github.tsm4j.data.video;

import io.github.tsm4j.core.clip.FrameTiming;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ResizeMethod;
import io.github.tsm4j.data.image.RgbFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Random access to the frames of one video, by <b>0-based</b> frame index. For video files the index
 * means what the reader's {@link FrameTiming} says: by default ({@link FrameTiming#CONSTANT_RATE}) the
 * frames of ffmpeg's constant-rate extraction at the stream's nominal rate — the frames the official
 * tools write into frame folders — or, with {@link FrameTiming#DECODE_ORDER}, the decoded frames in
 * order. Frame folders extracted by the official scripts number their files from 1 ({@code 00001.jpg});
 * {@link FrameFolderReader} maps index {@code i} to file number {@code i + 1}.
 *
 * <p>A reader is not thread-safe: use one per thread (JavaCV's grabber is single-threaded). Frames
 * returned are copies owned by the caller.
 */
public interface VideoReader extends AutoCloseable {

    /** @return the video file or frame folder */
    Path path();

    /**
     * The exact number of frames: for container files the constant-rate frames the decodable frames give
     * (or the decodable frames themselves with {@link FrameTiming#DECODE_ORDER}). This may decode the whole
     * video once (without colour conversion) the first time it is called; the count is then cached.
     *
     * @return the verified frame count (0 when nothing decodes)
     */
    int frameCount();

    /**
     * A frame count obtained without decoding every frame: for container files the number of video
     * packets (demuxed, not decoded), for frame folders the number of files. Exact for intact files;
     * {@link #read} verifies every index it returns, so a wrong count surfaces as a
     * {@link VideoDecodeException} there, after which {@link #frameCount()} holds the verified value.
     *
     * @return the quick count
     */
    default int quickFrameCount() {
        return frameCount();
    }

    /** @return the frame count the container or annotation claims, if any (not verified) */
    OptionalInt declaredFrameCount();

    /** @return frames per second (0 when unknown, e.g. frame folders) */
    double frameRate();

    /** @return frame width in pixels */
    int width();

    /** @return frame height in pixels */
    int height();

    /**
     * Reads the given frames at native size.
     *
     * @param frameIndices 0-based indices, in any order, duplicates allowed
     * @return one frame per index, in the order asked
     * @throws VideoDecodeException when an index is past the last decodable frame or decoding fails
     */
    default List<RgbFrame> read(int[] frameIndices) {
        return read(frameIndices, 0);
    }

    /**
     * Reads the given frames, scaling each so its short side is {@code shortSide} with the default
     * resize ({@link InputSpec#DEFAULT_RESIZE}, Pillow's bilinear), while decoding, so that full-size
     * frames are never kept.
     *
     * @param frameIndices 0-based indices, in any order, duplicates allowed
     * @param shortSide target short side, or 0 for native size
     * @return one frame per index, in the order asked
     * @throws VideoDecodeException when an index is past the last frame or decoding fails
     */
    default List<RgbFrame> read(int[] frameIndices, int shortSide) {
        return read(frameIndices, shortSide, InputSpec.DEFAULT_RESIZE);
    }

    /**
     * Reads the given frames, scaling each so its short side is {@code shortSide} (torchvision
     * {@code Resize(int)} sizes) with the given method, while decoding.
     *
     * @param frameIndices 0-based indices, in any order, duplicates allowed
     * @param shortSide target short side, or 0 for native size
     * @param method the resize method (use the model's {@link InputSpec#resizeMethod()})
     * @return one frame per index, in the order asked
     * @throws VideoDecodeException when an index is past the last frame or decoding fails
     */
    List<RgbFrame> read(int[] frameIndices, int shortSide, ResizeMethod method);

    /**
     * Presentation time of the picture each index shows, in seconds from the start of the file (the
     * container's start time subtracted, as ffmpeg does). Frame folders carry no time: {@code NaN}.
     *
     * @param frameIndices 0-based indices, valid for this reader
     * @return one time per index
     */
    default double[] timestampsSeconds(int[] frameIndices) {
        double[] t = new double[frameIndices.length];
        java.util.Arrays.fill(t, Double.NaN);
        return t;
    }

    @Override
    void close();

    /**
     * Opens a video file with FFmpeg, or a directory as a frame folder.
     *
     * @param path a video file or a folder of numbered JPEG frames
     * @return the reader
     * @throws VideoDecodeException when the path is missing or cannot be opened
     */
    static VideoReader open(Path path) {
        return open(path, FrameTiming.CONSTANT_RATE);
    }

    /**
     * Opens a video file with FFmpeg, or a directory as a frame folder (whose files are already the
     * constant-rate frames; {@code timing} does not apply to folders).
     *
     * @param path a video file or a folder of numbered JPEG frames
     * @param timing what frame indices of a video file mean
     * @return the reader
     * @throws VideoDecodeException when the path is missing or cannot be opened
     */
    static VideoReader open(Path path, FrameTiming timing) {
        if (Files.isDirectory(path)) {
            return FrameFolderReader.open(path);
        }
        return FFmpegVideoReader.open(path, FFmpegVideoReader.DEFAULT_DECODER_THREADS, timing);
    }

    /**
     * Validates indices against a frame count.
     *
     * @param path for the message
     * @param frameIndices indices
     * @param count frame count
     */
    static void checkIndices(Path path, int[] frameIndices, int count) {
        for (int i : frameIndices) {
            if (i < 0) {
                throw new IllegalArgumentException(path + ": frame index must be >= 0, found " + i);
            }
            if (i >= count) {
                throw new VideoDecodeException(path, "frame " + i + " requested but the video has only "
                        + count + " decodable frame(s)");
            }
        }
    }
}
