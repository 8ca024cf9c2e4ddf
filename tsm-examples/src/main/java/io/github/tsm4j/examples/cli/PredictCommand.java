package io.github.tsm4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.data.sampling.SamplingMode;
import io.github.tsm4j.data.transform.ClipTensors;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.data.transform.TestCrop;
import io.github.tsm4j.data.video.VideoReader;
import io.github.tsm4j.models.TsmModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tsm predict VIDEO… --model M}: top-k labels of whole videos, as the official {@code test_models.py}
 * scores them: sample T frames per clip (uniform centres, dense windows or twice), take 1, 3 or 10 crops,
 * run every clip × crop view through the offline network and average the softmax probabilities over the
 * views.
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Top-k labels with probabilities for each video (offline TSM over sampled clips and crops).",
            "With several clips or crops, softmax probabilities are averaged over all views.",
        },
        footer = {
            "",
            "Examples:",
            "  tsm predict clip.mp4 -m model.zip",
            "  tsm predict a.mp4 b.webm -m model.zip --top 3 --json",
            "  tsm predict clip.mp4 -m kinetics.zip --sampling dense --clips 10 --crops 3",
        })
public final class PredictCommand implements Callable<Integer> {

    /** Default of {@code --top}. */
    public static final int DEFAULT_TOP = 5;
    /** Default of {@code --crops}. */
    public static final int DEFAULT_CROPS = 1;
    /** Default of {@code --batch}. */
    public static final int DEFAULT_BATCH = 2;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "VIDEO", description = "Video files (or folders of frames).")
    List<Path> videos;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "Saved model (.zip).")
    Path model;

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

    /** Top-k of one video. */
    record VideoResult(String video, int clips, int crops, int frames, List<Entry> top) {}

    /** One ranked label. */
    record Entry(int rank, String label, int index, double probability) {}

    @Override
    public Integer call() throws IOException {
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
        // the folded NHWC inference form: same results, the fast CPU path
        TsmModel m = Models.load(model).forInference();
        InputSpec input = m.config().input();
        int t = input.segments();
        FrameSampler sampler;
        try {
            sampler = clips == null ? FrameSampler.of(t, sampling) : new FrameSampler(t, sampling, clips);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        ClipTransform transform = ClipTransform.test(input, crop);
        int k = Math.min(top, m.labels().size());
        List<VideoResult> results = new ArrayList<>();
        for (Path v : videos) {
            results.add(predict(m, v, sampler, transform, k));
        }
        PrintWriter out = cmd.getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", model.toString());
            doc.put("sampling", sampling.name().toLowerCase(Locale.ROOT));
            doc.put("results", results);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            for (VideoResult r : results) {
                out.printf(Locale.ROOT, "%s  (%d clip%s x %d crop%s, %d frames each)%n", r.video(), r.clips(),
                        r.clips() == 1 ? "" : "s", r.crops(), r.crops() == 1 ? "" : "s", r.frames());
                for (Entry e : r.top()) {
                    out.printf(Locale.ROOT, "  %2d  %.4f  %s%n", e.rank(), e.probability(), e.label());
                }
            }
        }
        out.flush();
        return 0;
    }

    private VideoResult predict(TsmModel m, Path video, FrameSampler sampler, ClipTransform transform, int k)
            throws IOException {
        InputSpec input = m.config().input();
        int t = input.segments();
        List<List<RgbFrame>> views = new ArrayList<>();
        try (VideoReader reader = VideoReader.open(video)) {
            int n = reader.frameCount();
            if (n == 0) {
                throw new IOException("video " + video + " has no decodable frames");
            }
            int[] indices = sampler.testIndices(n);
            List<RgbFrame> frames = reader.read(indices, input.scaleSize());
            // views: crop-major, each with clips·T frames, clip after clip
            for (List<RgbFrame> view : transform.apply(frames, new SplittableRandom(0))) {
                for (int c = 0; c + t <= view.size(); c += t) {
                    views.add(view.subList(c, c + t));
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("cannot read video " + video + ": " + e.getMessage(), e);
        }
        double[] sum = new double[m.labels().size()];
        long rows = 0;
        for (int from = 0; from < views.size(); from += batch) {
            List<List<RgbFrame>> chunk = views.subList(from, Math.min(views.size(), from + batch));
            INDArray probs = m.output(ClipTensors.toTensor(chunk, input));
            double[][] p = probs.toDoubleMatrix();
            for (double[] row : p) {
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += row[j];
                }
                rows++;
            }
        }
        final long count = rows;
        double[] mean = Arrays.stream(sum).map(x -> x / count).toArray();
        Integer[] order = new Integer[mean.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -mean[i]).thenComparingInt(i -> i));
        List<Entry> topK = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            topK.add(new Entry(r + 1, m.labels().get(order[r]), order[r], mean[order[r]]));
        }
        return new VideoResult(video.toString(), sampler.clipsPerVideo(), transform.views(), t, topK);
    }
}
