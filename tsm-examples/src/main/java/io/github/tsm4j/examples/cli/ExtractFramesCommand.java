package io.github.tsm4j.examples.cli;

import io.github.tsm4j.data.video.ExtractOptions;
import io.github.tsm4j.data.video.FrameExtractor;
import io.github.tsm4j.data.video.FrameNaming;
import io.github.tsm4j.core.clip.FrameTiming;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tsm extract-frames}: turns a video tree into frame folders as the official TSM tools do
 * ({@code in/a/b.webm} → {@code out/a/b/img_00001.jpg ...}): the constant-rate frames of
 * {@code ffmpeg -i V -threads 1 [-vf scale] -q:v 0 img_%05d.jpg}, optionally pre-scaled, in parallel,
 * resumable (completion manifests in {@code .tsm-extract/} next to the folders, checked against the source
 * file), with a progress bar. See {@link FrameExtractor} for the folder naming rule.
 */
@Command(name = "extract-frames", mixinStandardHelpOptions = true,
        description = "Extract the constant-rate frames of each video under INPUT into numbered JPEG folders under --output,"
                + " as the official TSM vid2img tools (ffmpeg -i V -threads 1 [-vf scale=-1:N] -q:v 0 img_%%05d.jpg).")
public final class ExtractFramesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INPUT", description = "A video file or a folder searched recursively for videos.")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output root for the frame folders.")
    Path output;

    @Option(names = "--short-side", paramLabel = "PX",
            description = "Scale frames so their short side is PX (the official Kinetics tool: 331, Something-Something V2: 256);"
                    + " 0 keeps the native size (default: ${DEFAULT-VALUE}).")
    int shortSide;

    @Option(names = "--template", paramLabel = "T",
            description = "Frame file names: {:05d}.jpg, img_{:05d}.jpg or {:06d}.jpg, numbered from 1 (default: ${DEFAULT-VALUE}).")
    String template = FrameNaming.IMG_FIVE_DIGITS.pythonTemplate();

    @Option(names = "--decode-order",
            description = "Write every decoded frame once, in order, instead of the constant-rate frames of the official tools.")
    boolean decodeOrder;

    @Option(names = "--resize", paramLabel = "METHOD",
            description = "Resize for --short-side: PIL_BILINEAR or OPENCV (default: ${DEFAULT-VALUE}).")
    io.github.tsm4j.core.ResizeMethod resize = io.github.tsm4j.core.ResizeMethod.PIL_BILINEAR;

    @Option(names = "--quality", paramLabel = "Q", description = "JPEG quality 1..100 (default: ${DEFAULT-VALUE}).")
    int quality = FrameExtractor.DEFAULT_JPEG_QUALITY;

    @Option(names = {"-j", "--threads"}, paramLabel = "N", description = "Videos extracted in parallel (default: ${DEFAULT-VALUE}).")
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

    @Option(names = "--extensions", split = ",", paramLabel = "EXT",
            description = "Video file extensions to look for (default: ${DEFAULT-VALUE}).")
    List<String> extensions = List.of("webm", "mp4", "avi", "mkv", "ogv", "mov");

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    /** What a run did. */
    public record Summary(int videos, int extracted, int skipped, long frames) {}

    @Override
    public Integer call() throws Exception {
        Summary s = run();
        spec.commandLine().getOut().printf("%d video(s): %d extracted, %d already complete, %d frames written to %s%n",
                s.videos(), s.extracted(), s.skipped(), s.frames(), output);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Extracts all videos.
     *
     * @return counts
     * @throws Exception the first failure (naming the video)
     */
    public Summary run() throws Exception {
        if (shortSide < 0) {
            throw new IllegalArgumentException("--short-side must be >= 0, found " + shortSide);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, found " + threads);
        }
        FrameNaming naming = FrameNaming.ofTemplate(template);
        Set<String> ext = new HashSet<>();
        extensions.forEach(e -> ext.add(e.toLowerCase(Locale.ROOT).replaceFirst("^\\.", "")));
        List<Path> videos = FrameExtractor.findVideos(input, ext);
        ExtractOptions options = ExtractOptions.official().withNaming(naming).withJpegQuality(quality).withResize(resize)
                .withTiming(decodeOrder ? FrameTiming.DECODE_ORDER : FrameTiming.CONSTANT_RATE).withShortSide(shortSide);
        java.util.Map<Path, Path> folders = FrameExtractor.assignFolders(videos, input, output);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int extracted = 0;
        int skipped = 0;
        long frames = 0;
        try (ProgressDisplay.Task bar = noProgress ? null
                : ProgressDisplay.start("extract-frames", videos.size(), ProgressDisplay.Unit.ITEMS, spec.commandLine().getErr())) {
            List<Future<FrameExtractor.Result>> jobs = new ArrayList<>();
            for (Path v : videos) {
                Path folder = folders.get(v);
                jobs.add(pool.submit(() -> {
                    FrameExtractor.Result r = FrameExtractor.extract(v, folder, options);
                    if (bar != null) {
                        bar.step();
                    }
                    return r;
                }));
            }
            for (Future<FrameExtractor.Result> j : jobs) {
                FrameExtractor.Result r;
                try {
                    r = j.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
                if (r.skipped()) {
                    skipped++;
                } else {
                    extracted++;
                }
                frames += r.skipped() ? 0 : r.frames();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Summary(videos.size(), extracted, skipped, frames);
    }
}
