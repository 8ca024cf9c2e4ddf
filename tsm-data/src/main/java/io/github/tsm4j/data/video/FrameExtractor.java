package io.github.tsm4j.data.video;

import io.github.tsm4j.core.clip.FrameTiming;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.ResizeMethod;
import io.github.tsm4j.data.image.RgbFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Turns videos into frame folders as the official extraction tools do ({@code tools/vid2img_*.py}): the
 * constant-rate frames of {@code ffmpeg -i V -threads 1 [-vf scale] -q:v 0 img_%05d.jpg} (see
 * {@link FrameTiming}), optionally pre-scaled, JPEG, numbered from 1 with a {@link FrameNaming}.
 *
 * <p>Resumable: a finished folder has a completion manifest <b>outside</b> it, at
 * {@code <parent>/.tsm-extract/<folder name>.json} ({@link #manifestFor}), so that the official
 * {@code gen_label_*.py} scripts, which count the files of a frame folder, count only frames. The manifest
 * names the source (absolute path, size, modification time), the frame count and the options; a folder is
 * "already complete" only when its manifest matches the same source file, unchanged, and the same
 * options, and its first and last frames exist. Anything else is emptied and extracted again.
 *
 * <p>Output folders ({@link #assignFolders}): the video's path relative to the input root without its
 * extension ({@code in/a/b.webm} → {@code out/a/b}), except when another video of the same input
 * directory has the same stem ({@code movie-hello.avi} and {@code movie-hello.mp4}): then both keep their
 * full file name ({@code out/movie-hello.avi/}, {@code out/movie-hello.mp4/}).
 */
public final class FrameExtractor {
    private FrameExtractor() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Short side {@code tsm extract-frames} used before it wrote official-compatible folders. */
    public static final int DEFAULT_SHORT_SIDE = 256;
    /** JPEG quality used by default. */
    public static final int DEFAULT_JPEG_QUALITY = ExtractOptions.DEFAULT_JPEG_QUALITY;
    /** Folder (next to the frame folders) holding the completion manifests. */
    public static final String MANIFEST_DIR = ".tsm-extract";
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
     * The completion manifest of a frame folder.
     *
     * @param source the video, absolute and normalised
     * @param sizeBytes its size when extracted
     * @param modifiedMillis its modification time when extracted
     * @param frames frames written
     * @param shortSide the options used
     * @param naming the options used
     * @param jpegQuality the options used
     * @param timing the options used
     * @param resize the options used
     */
    public record Manifest(String source, long sizeBytes, long modifiedMillis, int frames, int shortSide,
            FrameNaming naming, int jpegQuality, FrameTiming timing, ResizeMethod resize) {}

    /**
     * Extracts one video as {@code tsm extract-frames} did before constant-rate extraction existed as an
     * option: {@code shortSide}, {@code naming} and {@code jpegQuality} given, constant-rate frames with
     * the timing that matches the official tool ({@link ExtractOptions#withShortSide}), Pillow resize.
     *
     * @param video the video file
     * @param folder the frame folder to fill (created)
     * @param shortSide short side of the frames, or 0 for native size
     * @param naming file names
     * @param jpegQuality 1..100
     * @return the result
     */
    public static Result extract(Path video, Path folder, int shortSide, FrameNaming naming, int jpegQuality) {
        return extract(video, folder, ExtractOptions.official().withNaming(naming).withJpegQuality(jpegQuality)
                .withShortSide(shortSide));
    }

    /**
     * Extracts one video, unless its folder is already complete for the same unchanged source and options.
     *
     * @param video the video file
     * @param folder the frame folder to fill (created); its manifest goes to {@link #manifestFor}
     * @param options how
     * @return the result
     * @throws VideoDecodeException when the video cannot be decoded or has no frames
     */
    public static Result extract(Path video, Path folder, ExtractOptions options) {
        Manifest want = describe(video, options, -1);
        Path manifest = manifestFor(folder);
        Optional<Manifest> have = readManifest(manifest);
        if (have.isPresent() && sameSourceAndOptions(have.get(), want) && have.get().frames() > 0
                && Files.isRegularFile(folder.resolve(options.naming().fileName(0)))
                && Files.isRegularFile(folder.resolve(options.naming().fileName(have.get().frames() - 1)))) {
            return new Result(folder, have.get().frames(), true);
        }
        try {
            Files.deleteIfExists(manifest);
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
        try (FFmpegVideoReader r = FFmpegVideoReader.open(video, FFmpegVideoReader.DEFAULT_DECODER_THREADS, options.timing());
                IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, options.jpegQuality())) {
            RgbFrame[] lastFrame = {null};
            Path[] lastFile = {null};
            n = r.readAll(options.shortSide(), options.resize(), (frame, index) -> {
                Path file = folder.resolve(options.naming().fileName(index));
                if (frame == lastFrame[0]) {
                    copy(lastFile[0], file); // a constant-rate duplicate: same pixels, same bytes
                } else {
                    writeJpeg(frame, file, params);
                }
                lastFrame[0] = frame;
                lastFile[0] = file;
            });
        }
        if (n == 0) {
            throw new VideoDecodeException(video, "no decodable frames");
        }
        writeManifest(manifest, describe(video, options, n));
        return new Result(folder, n, false);
    }

    /**
     * Where the completion manifest of a frame folder lives: {@code <parent>/.tsm-extract/<name>.json}.
     *
     * @param folder the frame folder
     * @return the manifest path
     */
    public static Path manifestFor(Path folder) {
        Path abs = folder.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("a frame folder needs a parent directory, found " + folder);
        }
        return parent.resolve(MANIFEST_DIR).resolve(abs.getFileName() + ".json");
    }

    /**
     * @param folder a frame folder
     * @return its frame count if its manifest says extraction finished (the source is not checked), else −1
     */
    public static int completedFrames(Path folder) {
        return readManifest(manifestFor(folder)).map(Manifest::frames).orElse(-1);
    }

    /**
     * Reads a manifest.
     *
     * @param manifest the file
     * @return the manifest, or empty when missing or unreadable
     */
    public static Optional<Manifest> readManifest(Path manifest) {
        if (!Files.isRegularFile(manifest)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(manifest.toFile(), Manifest.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean sameSourceAndOptions(Manifest a, Manifest b) {
        return a.source().equals(b.source()) && a.sizeBytes() == b.sizeBytes() && a.modifiedMillis() == b.modifiedMillis()
                && a.shortSide() == b.shortSide() && a.naming() == b.naming() && a.jpegQuality() == b.jpegQuality()
                && a.timing() == b.timing() && a.resize() == b.resize();
    }

    private static Manifest describe(Path video, ExtractOptions o, int frames) {
        if (!Files.isRegularFile(video)) {
            throw new VideoDecodeException(video, "no such video file");
        }
        try {
            return new Manifest(video.toAbsolutePath().normalize().toString(), Files.size(video),
                    Files.getLastModifiedTime(video).toMillis(), frames, o.shortSide(), o.naming(), o.jpegQuality(),
                    o.timing(), o.resize());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size and time of " + video, e);
        }
    }

    private static void writeManifest(Path manifest, Manifest m) {
        try {
            Files.createDirectories(manifest.getParent());
            Path tmp = manifest.resolveSibling(manifest.getFileName() + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), m);
            Files.move(tmp, manifest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + manifest, e);
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
     * The frame folder of every video, unique per video: the relative path without extension, or with
     * the full file name when another of {@code videos} in the same directory has the same stem.
     *
     * @param videos the videos (as {@link #findVideos} returns them)
     * @param inputRoot the tree they were found in (or the single video itself)
     * @param outputRoot the output tree
     * @return video → folder, in the order of {@code videos}
     * @throws IllegalArgumentException if two videos would still share a folder
     */
    public static Map<Path, Path> assignFolders(List<Path> videos, Path inputRoot, Path outputRoot) {
        Map<Path, Integer> stems = new HashMap<>();
        for (Path v : videos) {
            stems.merge(stemKey(v), 1, Integer::sum);
        }
        Map<Path, Path> out = new LinkedHashMap<>();
        Map<Path, Path> taken = new HashMap<>();
        for (Path v : videos) {
            Path folder = folderFor(v, inputRoot, outputRoot, stems.get(stemKey(v)) > 1);
            Path other = taken.putIfAbsent(folder, v);
            if (other != null) {
                throw new IllegalArgumentException("videos " + other + " and " + v + " would share the frame folder " + folder);
            }
            out.put(v, folder);
        }
        return out;
    }

    /**
     * The frame folder of one video: its path relative to {@code inputRoot} without extension, under
     * {@code outputRoot} ({@code in/a/b.webm} → {@code out/a/b}), or with the full file name when another
     * video file ({@link #VIDEO_EXTENSIONS}) next to it has the same stem.
     *
     * @param video the video
     * @param inputRoot the tree it was found in (or the video itself)
     * @param outputRoot the output tree
     * @return the folder
     */
    public static Path folderFor(Path video, Path inputRoot, Path outputRoot) {
        boolean collides = false;
        Path dir = video.toAbsolutePath().getParent();
        if (dir != null && Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                Path key = stemKey(video);
                collides = s.filter(p -> !p.getFileName().equals(video.getFileName()))
                        .filter(p -> extension(p).map(VIDEO_EXTENSIONS::contains).orElse(false))
                        .anyMatch(p -> stemKey(p).getFileName().equals(key.getFileName()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        return folderFor(video, inputRoot, outputRoot, collides);
    }

    private static Path folderFor(Path video, Path inputRoot, Path outputRoot, boolean keepExtension) {
        Path rel = video.equals(inputRoot) ? video.getFileName() : inputRoot.relativize(video);
        String name = rel.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String folderName = dot > 0 && !keepExtension ? name.substring(0, dot) : name;
        Path parent = rel.getParent();
        return parent == null ? outputRoot.resolve(folderName) : outputRoot.resolve(parent).resolve(folderName);
    }

    private static Path stemKey(Path video) {
        Path abs = video.toAbsolutePath().normalize();
        String name = abs.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return abs.resolveSibling(dot > 0 ? name.substring(0, dot) : name);
    }

    private static Optional<String> extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? Optional.of(name.substring(dot + 1).toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
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
