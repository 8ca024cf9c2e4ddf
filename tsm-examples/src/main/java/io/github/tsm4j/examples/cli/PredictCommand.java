package io.github.tsm4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.tsm4j.core.clip.FrameTiming;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.core.clip.TestCrop;
import io.github.tsm4j.models.Prediction;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.recognize.ScoreAveraging;
import io.github.tsm4j.models.recognize.VideoRecognizer;
import io.github.tsm4j.models.recognize.VideoResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tsm predict VIDEO… --model M}: top-k labels of whole videos, as the official {@code test_models.py}
 * scores them, through the library's {@link VideoRecognizer}: sample T frames per clip (uniform centres, dense
 * windows or twice), take 1, 3 or 10 crops (optionally at full resolution), run every clip × crop view through the
 * offline network and average the views' raw scores (or probabilities with {@code --average probabilities}). This
 * class only parses flags and prints.
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Top-k labels with probabilities for each video (offline TSM over sampled clips and crops).",
            "With several clips or crops, the views' raw scores are averaged (as the official test_models.py), or "
                    + "their softmax probabilities with --average probabilities.",
        },
        footer = {
            "",
            "Examples:",
            "  tsm predict clip.mp4 -m model.zip",
            "  tsm predict a.mp4 b.webm -m model.zip --top 3 --json",
            "  tsm predict clip.mp4 -m kinetics.zip --sampling dense --clips 10 --crops 3",
            "  tsm predict clip.mp4 -m something.zip --crops 3 --full-res",
            "  tsm predict clip.mp4 --pretrained tsm-r50-kinetics400-8f --top 5",
        })
public final class PredictCommand implements Callable<Integer> {

    /** Default of {@code --top}. */
    public static final int DEFAULT_TOP = 5;
    /** Default of {@code --crops}. */
    public static final int DEFAULT_CROPS = 1;
    /** Default of {@code --batch}. */
    public static final int DEFAULT_BATCH = RecognitionOptions.DEFAULT_BATCH;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "VIDEO", description = "Video files (or folders of frames).")
    List<Path> videos;

    /** Exactly one of {@code --model} and {@code --pretrained}. */
    static final class ModelChoice {
        @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "Saved model (.zip).")
        Path model;

        @Option(names = "--pretrained", required = true, paramLabel = "ID",
                description = "A published checkpoint from the catalogue (tsm zoo list), downloaded once into the "
                        + "cache (--cache, TSM4J_CACHE or ~/.cache/tsm4j), SHA-256 checked.")
        String pretrained;
    }

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    ModelChoice choice;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Model cache for --pretrained (default: TSM4J_CACHE, else ~/.cache/tsm4j).")
    Path cache;

    @Option(names = {"-k", "--top"}, paramLabel = "K", defaultValue = "" + DEFAULT_TOP,
            description = "Labels shown per video, best first (default: ${DEFAULT-VALUE}; at most the class count).")
    int top;

    @Option(names = "--json", description = "Machine-readable output (one JSON document).")
    boolean json;

    @Option(names = "--sampling", paramLabel = "MODE", defaultValue = "uniform",
            description = "Frame sampling: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    SamplingMode sampling;

    @Option(names = "--clips", paramLabel = "N",
            description = "Clips per video (default: 1 uniform, 10 dense, 2 twice, as the official code).")
    Integer clips;

    @Option(names = "--crops", paramLabel = "1|3|10", defaultValue = "" + DEFAULT_CROPS,
            description = "Crops per clip: 1 centre, 3 left/centre/right, 10 corners+centre and flips "
                    + "(default: ${DEFAULT-VALUE}).")
    int crops;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "" + DEFAULT_BATCH,
            description = "Views per forward pass (memory vs speed; default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--full-res",
            description = "The official --full_res protocol: views of the scale size (e.g. 256) instead of the "
                    + "crop size, fed to the same network.")
    boolean fullRes;

    @Option(names = "--decode-order",
            description = "Sample video files in decode order instead of the constant-rate frames of the official "
                    + "ffmpeg extraction (by presentation timestamp at the nominal rate).")
    boolean decodeOrder;

    @Option(names = "--average", paramLabel = "KIND", defaultValue = "raw",
            description = "How views are combined: raw (mean of raw scores, the official default) or probabilities "
                    + "(mean of softmax, test_models.py --softmax). Default: ${DEFAULT-VALUE}.")
    Averaging average;

    /** {@code --spark-master} and its flags: distributed batch recognition ({@link SparkPredict}). */
    @CommandLine.Mixin
    SparkPredictOptions spark = new SparkPredictOptions();

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "nd4j",
            description = "What runs the network: nd4j (tsm4j's engine) or ort (ONNX Runtime, needs "
                    + "com.microsoft.onnxruntime:onnxruntime on the class path). Default: ${DEFAULT-VALUE}.")
    StreamCommand.EngineOption engine;

    /** {@code --average} values. */
    enum Averaging {
        raw(ScoreAveraging.RAW_SCORES), probabilities(ScoreAveraging.PROBABILITIES);

        private final ScoreAveraging kind;

        Averaging(ScoreAveraging kind) {
            this.kind = kind;
        }
    }

    /** Top-k of one video, as printed with {@code --json}. */
    record VideoRow(String video, String error, int clips, int crops, int frames, List<Integer> frameIndices,
            List<Entry> top) {}

    /** One ranked label. */
    record Entry(int rank, String label, int index, double probability) {}

    @Override
    public Integer call() throws IOException {
        Integer distributed = spark.route(this);
        if (distributed != null) {
            return distributed;
        }
        CommandLine cmd = spec.commandLine();
        TestCrop crop = switch (crops) {
            case 1 -> TestCrop.CENTRE;
            case 3 -> TestCrop.THREE;
            case 10 -> TestCrop.TEN;
            default -> throw new CommandLine.ParameterException(cmd, "--crops must be 1, 3 or 10, found " + crops);
        };
        if (top < 1 || batch < 1 || (clips != null && clips < 1)) {
            throw new CommandLine.ParameterException(cmd, "--top, --batch and --clips must be >= 1");
        }
        for (Path v : videos) {
            if (!Files.exists(v)) {
                throw new IOException("video " + v + " not found");
            }
        }
        FfmpegLogging.configure(cmd);
        TsmModel m = choice.pretrained != null
                ? io.github.tsm4j.models.zoo.PretrainedModels.load(choice.pretrained,
                        ZooCommand.options(cache, cmd.getErr()))
                : Models.load(choice.model);
        RecognitionOptions options;
        try {
            options = RecognitionOptions.builder().sampling(sampling).clips(clips == null ? 0 : clips).crops(crop)
                    .fullResolution(fullRes).averaging(average.kind)
                    .timing(decodeOrder ? FrameTiming.DECODE_ORDER : FrameTiming.CONSTANT_RATE).top(Math.min(top, m.labels().size()))
                    .batch(batch).engine(engine.kind())
                    .execution(io.github.tsm4j.examples.ExecutionOverrides.fromSystemProperties()).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        List<VideoResult> results;
        try (VideoRecognizer recognizer = VideoRecognizer.of(m, options)) {
            results = recognizer.classifyAll(videos);
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
        List<VideoRow> rows = new ArrayList<>();
        for (VideoResult r : results) {
            List<Entry> entries = new ArrayList<>();
            int rank = 1;
            for (Prediction p : r.top()) {
                entries.add(new Entry(rank++, p.label(), p.index(), p.probability()));
            }
            rows.add(new VideoRow(r.video(), r.error(), r.clips(), r.crops(), r.segments(), r.frameIndices(),
                    entries));
        }
        PrintWriter out = cmd.getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", choice.pretrained != null ? choice.pretrained : choice.model.toString());
            doc.put("sampling", sampling.name().toLowerCase(Locale.ROOT));
            doc.put("averaging", options.averaging().name().toLowerCase(Locale.ROOT));
            doc.put("results", rows);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            for (VideoRow r : rows) {
                if (r.error() != null) {
                    out.printf(Locale.ROOT, "%s  FAILED: %s%n", r.video(), r.error());
                    continue;
                }
                out.printf(Locale.ROOT, "%s  (%d clip%s x %d crop%s, %d frames each)%n", r.video(), r.clips(),
                        r.clips() == 1 ? "" : "s", r.crops(), r.crops() == 1 ? "" : "s", r.frames());
                for (Entry e : r.top()) {
                    out.printf(Locale.ROOT, "  %2d  %.4f  %s%n", e.rank(), e.probability(), e.label());
                }
            }
        }
        out.flush();
        long failed = results.stream().filter(r -> !r.ok()).count();
        if (failed > 0) {
            String first = results.stream().filter(r -> !r.ok()).findFirst().orElseThrow().error();
            throw new IOException(results.size() == 1 ? first
                    : failed + " of " + results.size() + " videos failed (each printed above); first: " + first);
        }
        return 0;
    }
}
