package io.github.tsm4j.data.video;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import io.github.tsm4j.data.image.RgbFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Turns videos into frame folders as the official extraction scripts do (every frame, short side
 * scaled, JPEG, numbered from 1 with a {@link FrameNaming}). Resumable: a finished folder holds a
 * marker file {@value #MARKER} with the frame count, and is skipped next time; an unfinished folder
 * (no marker) is emptied and redone.
 */
public final class FrameExtractor {
    private FrameExtractor() {}

    /** Short side of extracted frames in the official scripts. */
    public static final int DEFAULT_SHORT_SIDE = 256;
    /** JPEG quality used by default. */
    public static final int DEFAULT_JPEG_QUALITY = 95;
    /** Name of the completion marker inside a finished folder (holds the frame count). */
    public static final String MARKER = ".tsm-extracted";
    /** Video file extensions looked for by {@link #findVideos}. */
    public static final Set<String> VIDEO_EXTENSIONS = Set.of("webm", "mp4", "avi", "mkv", "ogv", "mov", "m4v", "flv");

    /**
     * What happened to one video.
     *
     * @param folder the frame folder
     * @param frames frames in it
     * @param skipped true when it was already complete
     */
    public record Result(Path folder, int frames, boolean skipped) {}

    /**
     * Extracts one video.
     *
     * @param video the video file
     * @param folder the frame folder to fill (created)
     * @param shortSide short side of the frames, or 0 for native size
     * @param naming file names
     * @param jpegQuality 1..100
     * @return the result
     * @throws VideoDecodeException when the video cannot be decoded or has no frames
     */
    public static Result extract(Path video, Path folder, int shortSide, FrameNaming naming, int jpegQuality) {
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("jpegQuality must be in 1..100, found " + jpegQuality);
        }
        int done = completedFrames(folder);
        if (done >= 0) {
            return new Result(folder, done, true);
        }
        try {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> s = Files.list(folder)) {
                    for (Path p : s.toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + folder, e);
        }
        int n;
        try (FFmpegVideoReader r = FFmpegVideoReader.open(video);
                IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, jpegQuality)) {
            n = r.readAll(shortSide, (frame, index) -> writeJpeg(frame, folder.resolve(naming.fileName(index)), params));
        }
        if (n == 0) {
            throw new VideoDecodeException(video, "no decodable frames");
        }
        try {
            Files.writeString(folder.resolve(MARKER), Integer.toString(n), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + folder.resolve(MARKER), e);
        }
        return new Result(folder, n, false);
    }

    /**
     * @param folder a frame folder
     * @return its frame count if extraction finished there, else −1
     */
    public static int completedFrames(Path folder) {
        Path marker = folder.resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            return -1;
        }
        try {
            return Integer.parseInt(Files.readString(marker, StandardCharsets.UTF_8).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Lists video files under a folder (recursively, sorted), or the file itself.
     *
     * @param root a folder or a video file
     * @param extensions lower-case extensions without dot
     * @return the videos
     */
    public static List<Path> findVideos(Path root, Set<String> extensions) {
        if (Files.isRegularFile(root)) {
            return List.of(root);
        }
        if (!Files.isDirectory(root)) {
            throw new VideoDecodeException(root, "no such file or folder");
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String name = p.getFileName().toString();
                int dot = name.lastIndexOf('.');
                return dot > 0 && extensions.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
            }).sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    /**
     * The frame folder of a video: its path relative to {@code inputRoot}, without extension, under
     * {@code outputRoot} ({@code in/a/b.webm} → {@code out/a/b}).
     *
     * @param video the video
     * @param inputRoot the tree it was found in (or the video itself)
     * @param outputRoot the output tree
     * @return the folder
     */
    public static Path folderFor(Path video, Path inputRoot, Path outputRoot) {
        Path rel = video.equals(inputRoot) ? video.getFileName() : inputRoot.relativize(video);
        String name = rel.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        Path parent = rel.getParent();
        return parent == null ? outputRoot.resolve(stem) : outputRoot.resolve(parent).resolve(stem);
    }

    private static void writeJpeg(RgbFrame frame, Path file, IntPointer params) {
        try (BytePointer data = new BytePointer(frame.pixels());
                Mat rgb = new Mat(frame.height(), frame.width(), org.bytedeco.opencv.global.opencv_core.CV_8UC3, data);
                Mat bgr = new Mat()) {
            cvtColor(rgb, bgr, COLOR_RGB2BGR);
            if (!imwrite(file.toString(), bgr, params)) {
                throw new VideoDecodeException(file, "cannot write JPEG");
            }
        }
    }
}
