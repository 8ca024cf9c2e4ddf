package io.github.tsm4j.examples.cli;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.data.stream.FrameSources;
import io.github.tsm4j.examples.stream.AnnotatedVideoWriter;
import io.github.tsm4j.examples.stream.ConfidenceTimeline;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.engine.EngineKind;
import io.github.tsm4j.models.recognize.FrameResult;
import io.github.tsm4j.models.recognize.HistorySmoother;
import io.github.tsm4j.models.recognize.StreamListener;
import io.github.tsm4j.models.recognize.StreamOptions;
import io.github.tsm4j.models.recognize.StreamRecognizer;
import io.github.tsm4j.models.recognize.StreamReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tsm stream SOURCE… --model M}: online TSM, frame by frame, a thin command line over the library's
 * {@link StreamRecognizer}: all sources share one streaming model (one stream slot each, one copy of the weights),
 * each source is decoded on its own thread; lines are prefixed with the source when there are several.
 */
@Command(
        name = "stream",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Online TSM: recognise actions frame by frame in video files, cameras or raw frames on stdin.",
            "Prints the current label, per-frame latency and frames/s; at the end, per source: frames processed "
                    + "and dropped, latency median and p99, throughput.",
        },
        footer = {
            "",
            "Examples:",
            "  tsm stream clip.mp4 -m jester.zip --history 12 --out annotated.mp4",
            "  tsm stream /dev/video0 -m jester.zip --every 5",
            "  tsm stream a.mp4 b.mp4 -m m.zip --timeline plot.png",
            "      (two streams at once; writes plot-1.png and plot-2.png)",
            "  ffmpeg -i clip.mp4 -f rawvideo -pix_fmt rgb24 - \\",
            "      | tsm stream - --size 320x240 -m m.zip",
        })
public final class StreamCommand implements Callable<Integer> {

    /** Default of {@code --every}. */
    public static final int DEFAULT_EVERY = 1;
    /** Default of {@code --history}: no smoothing. */
    public static final int DEFAULT_HISTORY = 1;
    /** Default of {@code --fps} for raw frames on stdin. */
    public static final double DEFAULT_RAW_FPS = 30;

    private static final Pattern SIZE = Pattern.compile("(\\d+)x(\\d+)");

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "SOURCE",
            description = "Video file, camera device (/dev/video0), rtsp/http URL, or '-' for raw RGB24 frames on stdin.")
    List<String> sources;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "Saved model (.zip).")
    Path model;

    @Option(names = "--every", paramLabel = "K", defaultValue = "" + DEFAULT_EVERY,
            description = "Print the label every K processed frames; 0 prints only the summary (default: ${DEFAULT-VALUE}).")
    int every;

    @Option(names = "--history", paramLabel = "N", defaultValue = "" + DEFAULT_HISTORY,
            description = "Smoothing as the official gesture demo: sum the last N logit vectors, and accept a change "
                    + "of label only when the last two outputs agree; 1 = raw per-frame labels "
                    + "(default: ${DEFAULT-VALUE}; the demo uses " + HistorySmoother.Config.DEMO_WINDOW + ").")
    int history;

    @Option(names = "--realtime", negatable = true,
            description = "Drop (and count) frames the model cannot keep up with, pacing files to their timestamps "
                    + "(default: on for cameras and URLs, off for files and stdin).")
    Boolean realtime;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "" + StreamOptions.DEFAULT_QUEUE,
            description = "Frames the decoder thread may run ahead of the model (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--size", paramLabel = "WxH", description = "Frame size of raw RGB24 frames on stdin (source '-').")
    String size;

    @Option(names = "--fps", paramLabel = "F", defaultValue = "" + DEFAULT_RAW_FPS,
            description = "Frame rate of raw frames on stdin (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--out", paramLabel = "VIDEO",
            description = "Write the processed frames with the label drawn (.mp4, .mkv, .avi, .mov or .webm); "
                    + "with several sources, -1, -2, … is added before the extension.")
    Path out;

    @Option(names = "--timeline", paramLabel = "PNG",
            description = "Draw the prediction confidence over time (PNG); numbered like --out for several sources.")
    Path timeline;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Native compute threads of the models (OpenMP). 0 = automatic: OMP_NUM_THREADS if set, "
                    + "else all cores but one, which the decoder threads get (at least 1). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "nd4j",
            description = "What runs the network: nd4j (tsm4j's engine) or ort (ONNX Runtime, needs "
                    + "com.microsoft.onnxruntime:onnxruntime on the class path). Default: ${DEFAULT-VALUE}.")
    EngineOption engine;

    /** A model opened for streaming: the recognizer and the input its sources must prepare. */
    public record Opened(StreamRecognizer recognizer, InputSpec spec) {}

    /** Opens the model file for B streams (tests give fakes). */
    @FunctionalInterface
    public interface Opener {
        /**
         * @param file the model file
         * @param streams B
         * @param options stream options
         * @return the recognizer and its input description
         * @throws IOException naming the file when it cannot be used
         */
        Opened open(Path file, int streams, StreamOptions options) throws IOException;
    }

    private final Opener opener;
    private final InputStream stdin;

    /** The command as the {@code tsm} jar runs it: real models, {@link System#in}. */
    public StreamCommand() {
        this(StreamCommand::openModel, System.in);
    }

    /**
     * A command with another model opener and stdin (tests).
     *
     * @param opener opens the streaming model
     * @param stdin read for source {@code -}
     */
    public StreamCommand(Opener opener, InputStream stdin) {
        this.opener = opener;
        this.stdin = stdin;
    }

    static Opened openModel(Path file, int streams, StreamOptions options) throws IOException {
        TsmModel m = Models.load(file);
        try {
            return new Opened(StreamRecognizer.of(m, streams, options), m.config().input());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException("model " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The model's OpenMP thread count. On 2 vCPUs, `bench/stream_e2e.sh` measured 64.6 frames/s end to end with 1
     * model thread and 48.5–54.9 with 2, because the decoder thread (FFmpeg decode + resize) needs a core of its own.
     *
     * @param requested {@code --threads} (0 = automatic)
     * @param cores available processors
     * @param ompEnv the {@code OMP_NUM_THREADS} environment variable, or null
     * @return the thread count to set, or 0 to leave OpenMP as the environment configured it
     */
    static int modelThreads(int requested, int cores, String ompEnv) {
        if (requested > 0) {
            return requested;
        }
        if (ompEnv != null && !ompEnv.isBlank()) {
            return 0;
        }
        return Math.max(1, cores - 1);
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (sources.stream().filter(FrameSources.STDIN::equals).count() > 1) {
            throw new CommandLine.ParameterException(cmd, "source '-' (stdin) can be given only once");
        }
        int[] raw = parseSize(cmd);
        if (raw[0] == 0 && sources.contains(FrameSources.STDIN)) {
            throw new CommandLine.ParameterException(cmd, "source '-' (raw RGB24 frames on stdin) needs --size WxH");
        }
        if (raw[0] > 0 && !sources.contains(FrameSources.STDIN)) {
            throw new CommandLine.ParameterException(cmd, "--size applies only to source '-' (raw frames on stdin)");
        }
        if (every < 0 || history < 1 || queue < 1 || !(fps > 0)) {
            throw new CommandLine.ParameterException(cmd, "--every must be >= 0, --history >= 1, --queue >= 1 and "
                    + "--fps > 0; found " + every + ", " + history + ", " + queue + ", " + fps);
        }
        if (threads < 0) {
            throw new CommandLine.ParameterException(cmd, "--threads must be >= 0 (0 = automatic), found " + threads);
        }
        FfmpegLogging.configure(cmd);
        int modelThreads = modelThreads(threads, Runtime.getRuntime().availableProcessors(),
                System.getenv("OMP_NUM_THREADS"));
        if (modelThreads > 0) {
            io.github.tsm4j.examples.bench.Threads.set(modelThreads);
        }
        int n = sources.size();
        StreamOptions.Realtime rt = realtime == null ? StreamOptions.Realtime.AUTO
                : realtime ? StreamOptions.Realtime.ON : StreamOptions.Realtime.OFF;
        StreamOptions options = new StreamOptions(rt, queue, HistorySmoother.Config.ofWindow(history),
                engine.kind(), 0, io.github.tsm4j.examples.ExecutionOverrides.fromSystemProperties());
        PrintWriter outWriter = cmd.getOut();
        Opened opened = opener.open(model, n, options);
        try (StreamRecognizer recognizer = opened.recognizer()) {
            List<FrameSource> created = new ArrayList<>();
            for (String s : sources) {
                created.add(FrameSources.create(s, opened.spec(), stdin, raw[0], raw[1], fps));
            }
            Printer printer = new Printer(outWriter, n, recognizer.labels());
            List<StreamReport> reports;
            try {
                reports = recognizer.run(created, printer);
            } finally {
                printer.close();
            }
            for (StreamReport r : reports) {
                outWriter.println(r.summaryLine());
            }
            outWriter.flush();
            for (StreamReport r : reports) {
                if (!r.ok()) {
                    throw new IOException(r.error());
                }
            }
        }
        return 0;
    }

    /** Prints lines every {@code --every} frames and feeds the annotated videos and timelines of each source. */
    private final class Printer implements StreamListener {
        private final PrintWriter out;
        private final int count;
        private final List<String> labels;
        private final java.util.Map<String, Integer> order = new java.util.HashMap<>();
        private final java.util.Map<Integer, long[]> counters = new java.util.HashMap<>();
        private final java.util.Map<Integer, AnnotatedVideoWriter> writers = new java.util.HashMap<>();
        private final java.util.Map<Integer, ConfidenceTimeline> timelines = new java.util.HashMap<>();
        private final java.util.Map<Integer, String> names = new java.util.HashMap<>();

        Printer(PrintWriter out, int count, List<String> labels) {
            this.out = out;
            this.count = count;
            this.labels = labels;
            for (int i = 0; i < sources.size(); i++) {
                order.putIfAbsent(sources.get(i), i);
            }
        }

        @Override
        public void onFrame(FrameResult r) {
            int i = order.getOrDefault(r.source(), r.stream());
            names.put(i, r.source());
            long[] c = counters.computeIfAbsent(i, k -> new long[] {0, System.nanoTime()});
            c[0]++;
            double ms = r.latencyNanos() / 1e6;
            if (every > 0 && (c[0] - 1) % every == 0) {
                double fpsNow = c[0] / Math.max(1e-9, (System.nanoTime() - c[1]) / 1e9);
                out.println(String.format(Locale.ROOT, "%sframe %d  %s  p=%.3f  %.2f ms  %.1f fps",
                        count > 1 ? r.source() + ": " : "", r.frame().index(), r.labelName(), r.probability(), ms,
                        fpsNow));
                out.flush();
            }
            if (timeline != null) {
                timelines.computeIfAbsent(i, k -> new ConfidenceTimeline(labels))
                        .add(r.frame().timestampMicros() / 1e6, r.probabilities(), r.label());
            }
            if (out() != null) {
                try {
                    AnnotatedVideoWriter w = writers.get(i);
                    if (w == null) {
                        w = new AnnotatedVideoWriter(numbered(StreamCommand.this.out, i, count), r.frame().width(),
                                r.frame().height(), r.frameRate());
                        writers.put(i, w);
                    }
                    w.write(r.frame(), String.format(Locale.ROOT, "%s  %.2f", r.labelName(), r.probability()),
                            String.format(Locale.ROOT, "%.1f fps", 1000.0 / Math.max(ms, 1e-6)));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while writing " + StreamCommand.this.out, e);
                }
            }
        }

        private Path out() {
            return StreamCommand.this.out;
        }

        void close() throws IOException, InterruptedException {
            for (AnnotatedVideoWriter w : writers.values()) {
                w.close();
            }
            for (var e : timelines.entrySet()) {
                e.getValue().save(numbered(timeline, e.getKey(), count), names.get(e.getKey()));
            }
        }
    }

    /** {@code --engine} values. */
    enum EngineOption {
        nd4j(EngineKind.ND4J), ort(EngineKind.ONNX_RUNTIME);

        private final EngineKind kind;

        EngineOption(EngineKind kind) {
            this.kind = kind;
        }

        EngineKind kind() {
            return kind;
        }
    }

    private int[] parseSize(CommandLine cmd) {
        if (size == null) {
            return new int[] {0, 0};
        }
        Matcher m = SIZE.matcher(size);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(2)) < 1) {
            throw new CommandLine.ParameterException(cmd, "--size must be WxH with positive integers, e.g. 320x240; "
                    + "found '" + size + "'");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /**
     * {@code plot.png} for one source; {@code plot-1.png}, {@code plot-2.png}, … for several.
     *
     * @param path the path given, or null
     * @param index source index from 0
     * @param count number of sources
     * @return the path for this source, or null
     */
    static Path numbered(Path path, int index, int count) {
        if (path == null || count == 1) {
            return path;
        }
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0
                ? name.substring(0, dot) + "-" + (index + 1) + name.substring(dot)
                : name + "-" + (index + 1);
        return path.resolveSibling(numbered);
    }
}
