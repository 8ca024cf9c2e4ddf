package io.github.tsm4j.examples.cli;

import io.github.tsm4j.examples.stream.FrameModel;
import io.github.tsm4j.examples.stream.FrameSource;
import io.github.tsm4j.examples.stream.FrameSources;
import io.github.tsm4j.examples.stream.HistorySmoother;
import io.github.tsm4j.examples.stream.StreamOptions;
import io.github.tsm4j.examples.stream.StreamReport;
import io.github.tsm4j.examples.stream.StreamSession;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tsm stream SOURCE… --model M}: online TSM, frame by frame, with the model's streaming form.
 * Each source runs on its own thread with its own model instance (isolated shift caches) and its own
 * decoder thread; lines are prefixed with the source when there are several.
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

    private final FrameModelOpener opener;
    private final InputStream stdin;

    /** The command as the {@code tsm} jar runs it: real models, {@link System#in}. */
    public StreamCommand() {
        this(StreamingModels::open, System.in);
    }

    /**
     * A command with another model opener and stdin (tests).
     *
     * @param opener opens one streaming model per source
     * @param stdin read for source {@code -}
     */
    public StreamCommand(FrameModelOpener opener, InputStream stdin) {
        this.opener = opener;
        this.stdin = stdin;
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
        List<FrameSource> created = new ArrayList<>();
        for (String s : sources) {
            created.add(FrameSources.create(s, stdin, raw[0], raw[1], fps));
        }
        List<FrameModel> models = opener.open(model, n);
        List<StreamSession> sessions = new ArrayList<>();
        PrintWriter outWriter = cmd.getOut();
        Object lock = new Object();
        for (int i = 0; i < n; i++) {
            String s = sources.get(i);
            boolean rt = realtime != null ? realtime : FrameSources.isLive(s);
            StreamOptions options = new StreamOptions(every, rt, queue, HistorySmoother.Config.ofWindow(history),
                    numbered(out, i, n), numbered(timeline, i, n));
            String prefix = n > 1 ? s + ": " : "";
            sessions.add(new StreamSession(created.get(i), models.get(i), options, line -> {
                synchronized (lock) {
                    outWriter.println(line);
                    outWriter.flush();
                }
            }, prefix));
        }
        List<StreamReport> reports = runAll(sessions);
        for (StreamReport r : reports) {
            outWriter.println(r.summaryLine());
        }
        outWriter.flush();
        return 0;
    }

    private static List<StreamReport> runAll(List<StreamSession> sessions) throws Exception {
        if (sessions.size() == 1) {
            return List.of(sessions.get(0).call());
        }
        ExecutorService pool = Executors.newFixedThreadPool(sessions.size(), r -> {
            Thread t = new Thread(r, "stream");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<StreamReport>> futures = new ArrayList<>();
            for (StreamSession s : sessions) {
                futures.add(pool.submit(s));
            }
            List<StreamReport> reports = new ArrayList<>();
            Exception first = null;
            for (Future<StreamReport> f : futures) {
                try {
                    reports.add(f.get());
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof Exception ex ? ex : e;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
            return reports;
        } finally {
            pool.shutdownNow();
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
