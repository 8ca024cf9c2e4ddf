package io.github.tsm4j.examples.cli;

import io.github.tsm4j.data.dataset.SomethingSomethingV2;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.iterator.ClipDataSetIterator;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.core.clip.TestCrop;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.train.EvaluationResult;
import io.github.tsm4j.models.train.Evaluator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tsm eval}: the official test protocols on a Something-Something-V2-format split — clips
 * (uniform, dense or twice) × crops (centre, 3, 10), softmax scores averaged over a video's views before
 * the arg-max — with top-1, top-5, mean class accuracy, a predictions CSV and a confusion-matrix PNG.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a model: top-1/top-5/mean class accuracy, predictions CSV, confusion matrix.")
public final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "tsm4j model zip or training checkpoint.")
    Path model;

    @Mixin
    DatasetOptions data;

    @Option(names = "--split", required = true, description = "Split to evaluate (SSv2 JSON list).")
    Path split;

    @Option(names = "--sampling", defaultValue = "UNIFORM", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    SamplingMode sampling;

    @Option(names = "--test-clips", defaultValue = "0", description = "Clips per video, 0 = the mode's default (default: ${DEFAULT-VALUE}).")
    int testClips;

    @Option(names = "--test-crops", defaultValue = "CENTRE", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    TestCrop crop;

    @Option(names = "--batch-size", defaultValue = "4", description = "Videos per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--workers", defaultValue = "2", description = "Decoding threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--output", description = "Folder for predictions.csv and confusion-matrix.png (default: next to the model).")
    Path output;

    /**
     * @param model model zip
     * @param dataset the split to evaluate
     * @param sampling clip sampling
     * @param testClips clips per video (0 = default)
     * @param crop crop views
     * @param batchSize videos per batch
     * @param workers decoding threads
     * @param output folder for CSV and PNG
     */
    public record Options(Path model, VideoDataset dataset, SamplingMode sampling, int testClips, TestCrop crop,
            int batchSize, int workers, Path output) {}

    @Override
    public Integer call() throws IOException {
        Path out = output != null ? output : model.toAbsolutePath().getParent();
        run(new Options(model, SomethingSomethingV2.read(data.labels, split, data.videos), sampling, testClips, crop,
                batchSize, workers, out), spec.commandLine().getOut());
        return 0;
    }

    /**
     * Evaluates.
     *
     * @param o options
     * @param out where the metrics are printed
     * @return the metrics
     * @throws IOException when the model or videos cannot be read or outputs written
     */
    public static EvaluationResult run(Options o, PrintWriter out) throws IOException {
        // the folded NHWC inference form: same results, the fast CPU path
        TsmModel m = TsmModel.load(o.model()).forInference();
        if (!m.labels().equals(o.dataset().classNames())) {
            throw new IllegalArgumentException("model " + o.model() + " has classes " + m.labels()
                    + " but the dataset has " + o.dataset().classNames());
        }
        EvaluationResult r;
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(o.dataset(), m.config().input()).training(false)
                .samplingMode(o.sampling()).testClips(o.testClips()).testCrop(o.crop()).batchSize(o.batchSize())
                .workers(o.workers()).build()) {
            r = Evaluator.evaluate(m, it, 1);
        }
        Files.createDirectories(o.output());
        r.writePredictionsCsv(o.output().resolve("predictions.csv"));
        TrainingPlots.confusion(r, o.dataset().name(), o.output().resolve(TrainingPlots.CONFUSION));
        int views = r.predictions().isEmpty() ? 0 : r.predictions().get(0).views();
        out.printf(Locale.ROOT, "%d videos, %d views each: top-1 %.2f%%  top-5 %.2f%%  mean class %.2f%%%n", r.videos(),
                views, 100 * r.top1(), 100 * r.top5(), 100 * r.meanClassAccuracy());
        out.printf(Locale.ROOT, "predictions: %s%n", o.output().resolve("predictions.csv"));
        out.flush();
        return r;
    }
}
