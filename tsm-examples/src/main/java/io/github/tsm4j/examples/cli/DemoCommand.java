package io.github.tsm4j.examples.cli;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.iterator.ClipDataSetIterator;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.TsmStreamingModel;
import io.github.tsm4j.models.train.EpochRecord;
import io.github.tsm4j.models.train.EvaluationResult;
import io.github.tsm4j.models.train.Evaluator;
import io.github.tsm4j.models.train.Trainer;
import io.github.tsm4j.models.train.TrainingRecipe;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tsm demo}: the paper's central claim in a few minutes on a laptop CPU. Generates the synthetic
 * temporal-order dataset (six classes that differ only in the order of their frames), trains a TSN
 * (no shift) and a TSM (residual shift) with the same small ResNet-18, data, schedule and seed,
 * evaluates both, prints a side-by-side table, writes plots, and finally streams a held-out clip frame
 * by frame through the online TSM; at the end it prints where the time went ({@link Timings}). The two
 * trainings run at the same time on two threads, one core each (same results as one after the other;
 * {@code --sequential}), so the defaults take about 2–3 minutes on an idle 2-core CPU (docs/demo.md).
 *
 * <p>The TSM uses the uni-directional shift (each frame sees the past only), so the very same weights
 * run online ({@link TsmStreamingModel}) with per-frame logits equal to the offline network's.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a TSN and a TSM on a generated temporal-order dataset and compare them.",
            "No network access or downloads; about 2-3 minutes on an idle 2-core CPU with the defaults."})
public final class DemoCommand implements Callable<Integer> {

    /** Default seed for data, weights, sampling and dropout. */
    public static final long DEFAULT_SEED = 7;
    /** Training clips per class: 500 (3,000 in all; with 250 the TSM generalised less, docs/demo.md). */
    public static final int DEFAULT_TRAIN_PER_CLASS = 500;
    public static final int DEFAULT_VALIDATION_PER_CLASS = 25;
    public static final int DEFAULT_SIZE = 32;
    public static final int DEFAULT_SEGMENTS = 4;
    /** Epochs: 16 of 3,000 clips (the TSM 96.0–100 % over seeds 7–11, docs/demo.md). */
    public static final int DEFAULT_EPOCHS = 16;
    public static final int DEFAULT_BATCH_SIZE = 16;
    /**
     * Layout inside the networks: NHWC, the faster one on CPUs (measured side by side: 150 vs 100–130 clips/s per
     * training on the loaded VM) and the more accurate of the measured seed-7 runs (TSM 98.0 % vs 94.0 %, docs/demo.md).
     */
    public static final CNN2DFormat DEFAULT_DATA_FORMAT = CNN2DFormat.NHWC;
    public static final double DEFAULT_LR = 0.05;
    /**
     * 1/foldDiv of the channels comes from the previous frame: 4, the share the paper's offline TSM moves (1/8 each
     * way). With the online paper setting of 1/8, one channel of the narrow first stage carries time and the TSM sat
     * at chance for 4–13 epochs, depending on the seed (docs/demo.md).
     */
    public static final int DEFAULT_FOLD_DIV = 4;
    /** Compute threads of ND4J (and OpenMP) per training: one, so the TSN and the TSM train side by side. */
    public static final int DEFAULT_THREADS = 1;
    /** Dropout before fc: none, so the tiny network learns within the time budget. */
    public static final double DEFAULT_DROPOUT = 0.0;
    public static final int DEFAULT_BASE_WIDTH = 8;

    @Spec
    CommandSpec spec;

    @Option(names = "--output", description = "Folder for data, checkpoints, logs and plots (default: a new temporary folder).")
    Path output;

    @Option(names = "--seed", defaultValue = "" + DEFAULT_SEED, description = "Seed of everything (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--train-per-class", defaultValue = "" + DEFAULT_TRAIN_PER_CLASS,
            description = "Training clips per class (default: ${DEFAULT-VALUE}).")
    int trainPerClass;

    @Option(names = "--val-per-class", defaultValue = "" + DEFAULT_VALIDATION_PER_CLASS,
            description = "Validation clips per class (default: ${DEFAULT-VALUE}).")
    int validationPerClass;

    @Option(names = "--size", defaultValue = "" + DEFAULT_SIZE, description = "Frame side in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--segments", defaultValue = "" + DEFAULT_SEGMENTS, description = "Frames per clip T (default: ${DEFAULT-VALUE}).")
    int segments;

    @Option(names = "--epochs", defaultValue = "" + DEFAULT_EPOCHS, description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "" + DEFAULT_BATCH_SIZE, description = "Clips per minibatch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "" + DEFAULT_LR,
            description = "Learning rate at this batch size, cosine decay (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--base-width", defaultValue = "" + DEFAULT_BASE_WIDTH,
            description = "ResNet-18 stem width (64 = torchvision; default: ${DEFAULT-VALUE}).")
    int baseWidth;

    @Option(names = "--fold-div", defaultValue = "" + DEFAULT_FOLD_DIV,
            description = "TSM shifts 1/fold-div of the channels (default: ${DEFAULT-VALUE}).")
    int foldDiv;

    @Option(names = "--threads", defaultValue = "" + DEFAULT_THREADS,
            description = "ND4J/OpenMP compute threads per training (default: ${DEFAULT-VALUE}; the two trainings run side by side).")
    int threads;

    @Option(names = "--data-format", defaultValue = "NHWC",
            description = "Layout inside the networks: NCHW or NHWC (both train with the native BatchNorm; default: ${DEFAULT-VALUE}).")
    CNN2DFormat dataFormat;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Option(names = "--sequential",
            description = "Train the TSN, then the TSM (default: both at once on two threads, one core each).")
    boolean sequential;

    @Option(names = "--save-model", paramLabel = "FILE",
            description = "Also save the trained TSM as a model zip (no optimizer state) for tsm stream / predict / info.")
    Path saveModel;

    /**
     * Demo settings.
     *
     * @param output folder (null: a new temporary folder)
     * @param seed seed of data, weights, sampling and dropout
     * @param trainPerClass training clips per class
     * @param validationPerClass validation clips per class
     * @param size frame side
     * @param segments frames per clip
     * @param epochs epochs
     * @param batchSize clips per minibatch
     * @param learningRate learning rate (cosine decay, no warm-up)
     * @param baseWidth ResNet stem width
     * @param foldDiv 1/foldDiv of the channels shifted
     * @param threads ND4J compute threads (0 = leave ND4J's default)
     * @param progress progress bars to this stream, or null
     * @param dataFormat layout inside the networks (NHWC: native BatchNorm in training, see docs/performance.md)
     * @param sideBySide train the TSN and the TSM at the same time on two threads (each with {@code threads} ND4J
     *     threads; per-epoch lines only, no progress bars), instead of one after the other
     */
    public record Options(Path output, long seed, int trainPerClass, int validationPerClass, int size, int segments,
            int epochs, int batchSize, double learningRate, int baseWidth, int foldDiv, int threads, PrintStream progress,
            CNN2DFormat dataFormat, boolean sideBySide) {

        /** Validates the layout. */
        public Options {
            java.util.Objects.requireNonNull(dataFormat, "dataFormat");
        }

        /** The settings with the two trainings side by side. */
        public Options(Path output, long seed, int trainPerClass, int validationPerClass, int size, int segments,
                int epochs, int batchSize, double learningRate, int baseWidth, int foldDiv, int threads,
                PrintStream progress, CNN2DFormat dataFormat) {
            this(output, seed, trainPerClass, validationPerClass, size, segments, epochs, batchSize, learningRate,
                    baseWidth, foldDiv, threads, progress, dataFormat, true);
        }

        /** The settings in the NCHW layout, side by side (the CLI default is {@link DemoCommand#DEFAULT_DATA_FORMAT}). */
        public Options(Path output, long seed, int trainPerClass, int validationPerClass, int size, int segments,
                int epochs, int batchSize, double learningRate, int baseWidth, int foldDiv, int threads,
                PrintStream progress) {
            this(output, seed, trainPerClass, validationPerClass, size, segments, epochs, batchSize, learningRate,
                    baseWidth, foldDiv, threads, progress, CNN2DFormat.NCHW);
        }

        /** @return the defaults (NHWC, side by side), no progress bars, in a temporary folder */
        public static Options defaults() {
            return new Options(null, DEFAULT_SEED, DEFAULT_TRAIN_PER_CLASS, DEFAULT_VALIDATION_PER_CLASS, DEFAULT_SIZE,
                    DEFAULT_SEGMENTS, DEFAULT_EPOCHS, DEFAULT_BATCH_SIZE, DEFAULT_LR, DEFAULT_BASE_WIDTH, DEFAULT_FOLD_DIV,
                    DEFAULT_THREADS, null, DEFAULT_DATA_FORMAT, true);
        }
    }

    /**
     * One trained model of the demo.
     *
     * @param name "TSN" or "TSM"
     * @param placement its shift placement
     * @param top1 validation top-1
     * @param top5 validation top-5
     * @param meanClassAccuracy validation mean class accuracy
     * @param trainableParams trainable parameters
     * @param trainSeconds training wall time (all epochs, with per-epoch validation and checkpoints)
     * @param history per-epoch records
     * @param checkpoint the last checkpoint (a loadable TsmModel)
     * @param evaluation the validation result of the last epoch
     */
    public record ModelReport(String name, ShiftPlacement placement, double top1, double top5,
            double meanClassAccuracy, long trainableParams, double trainSeconds, List<EpochRecord> history,
            Path checkpoint, EvaluationResult evaluation) {}

    /**
     * One frame of the streamed clip.
     *
     * @param frame 1-based frame index
     * @param label top class of this frame's logits
     * @param probability its softmax probability
     * @param runningLabel top class of the logits averaged over the frames so far
     * @param runningProbability its probability
     */
    public record StreamStep(int frame, String label, double probability, String runningLabel,
            double runningProbability) {}

    /**
     * Where the demo's wall time went, in seconds. With {@link Options#sideBySide()} the two trainings overlap, and
     * {@code training} (their joint wall time) is less than {@code tsnTrain + tsmTrain}.
     *
     * @param generate writing the synthetic videos
     * @param decode decoding every clip once into memory
     * @param tsnTrain the TSN's training (with its per-epoch validation and checkpoints)
     * @param tsmTrain the TSM's training
     * @param training wall time of both trainings together
     * @param eval final evaluation outputs: predictions, confusion matrices, curves, the table
     * @param stream streaming one clip through the online TSM (model conversion included)
     */
    public record Timings(double generate, double decode, double tsnTrain, double tsmTrain, double training,
            double eval, double stream) {}

    /**
     * The demo's outcome.
     *
     * @param output the folder holding data, checkpoints and plots
     * @param classes class names
     * @param chance 1 / K
     * @param tsn the TSN
     * @param tsm the TSM
     * @param streamedClip id of the streamed validation clip
     * @param streamedLabel its true class
     * @param stream per-frame online predictions
     * @param seconds wall time of the whole demo
     * @param timings where the time went
     */
    public record DemoResult(Path output, List<String> classes, double chance, ModelReport tsn, ModelReport tsm,
            String streamedClip, String streamedLabel, List<StreamStep> stream, double seconds, Timings timings) {}

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        CompactHeap.apply();   // the demo's peak resident size: 1.2 GB with the JVM's heap sizing, < 1 GB with this
        DemoResult r = run(new Options(output, seed, trainPerClass, validationPerClass, size, segments, epochs, batchSize,
                learningRate, baseWidth, foldDiv, threads, noProgress ? null : System.err, dataFormat, !sequential), out);
        if (saveModel != null) {
            saveModel(r.tsm().checkpoint(), saveModel);
            out.printf(Locale.ROOT, "saved the TSM as %s (try: tsm stream %s/data/videos/%s.webm -m %s)%n", saveModel,
                    r.output(), r.streamedClip(), saveModel);
            out.flush();
        }
        return 0;
    }

    /**
     * Runs the demo.
     *
     * @param o settings
     * @param out where the table and the streamed predictions are printed
     * @return the result
     * @throws IOException when files cannot be written
     */
    public static DemoResult run(Options o, PrintWriter out) throws IOException {
        long start = System.nanoTime();
        Prepared p = prepare(o, out);
        long trainStart = System.nanoTime();
        ModelReport[] trained = trainBoth(p, o, out);
        double training = seconds(trainStart);
        ModelReport tsn = trained[0];
        ModelReport tsm = trained[1];
        long evalStart = System.nanoTime();
        Path dir = p.dir();
        List<String> classes = p.classes();
        VideoDataset validation = p.layout().validation();
        InputSpec input = p.input();
        for (ModelReport r : List.of(tsn, tsm)) {
            Path folder = r.checkpoint().getParent();
            r.evaluation().writePredictionsCsv(folder.resolve("predictions.csv"));
            TrainingPlots.confusion(r.evaluation(), r.name() + " (validation)", folder.resolve(TrainingPlots.CONFUSION));
        }
        Map<String, List<EpochRecord>> curves = new LinkedHashMap<>();
        curves.put("TSN", tsn.history());
        curves.put("TSM", tsm.history());
        TrainingPlots.curves(curves, dir.resolve(TrainingPlots.CURVES));

        double chance = 1.0 / classes.size();
        out.println();
        out.printf(Locale.ROOT, "%-5s %-9s %7s %7s %9s %8s %8s%n", "model", "shift", "top-1", "top-5", "mean-cls",
                "params", "train-s");
        for (ModelReport r : List.of(tsn, tsm)) {
            out.printf(Locale.ROOT, "%-5s %-9s %6.1f%% %6.1f%% %8.1f%% %8d %8.1f%n", r.name(), r.placement(),
                    100 * r.top1(), 100 * r.top5(), 100 * r.meanClassAccuracy(), r.trainableParams(), r.trainSeconds());
        }
        out.printf(Locale.ROOT, "chance: %.1f%% (%d classes). The shift adds no parameters and no multiply-adds.%n",
                100 * chance, classes.size());
        out.printf(Locale.ROOT, "plots: %s, %s/confusion-matrix.png, %s/confusion-matrix.png%n",
                dir.resolve(TrainingPlots.CURVES), dir.resolve("tsn"), dir.resolve("tsm"));
        out.flush();
        double eval = seconds(evalStart);

        long streamStart = System.nanoTime();
        List<StreamStep> steps = new ArrayList<>();
        String[] clip = stream(tsm.checkpoint(), validation, input, steps, out);
        double streamSeconds = seconds(streamStart);
        double total = seconds(start);
        Timings t = new Timings(p.generateSeconds(), p.decodeSeconds(), tsn.trainSeconds(), tsm.trainSeconds(),
                training, eval, streamSeconds);
        out.printf(Locale.ROOT, "%ntime split: generate %.1f s, decode %.1f s, TSN train %.1f s, TSM train %.1f s%s, "
                + "eval %.1f s, stream %.1f s%n", t.generate(), t.decode(), t.tsnTrain(), t.tsmTrain(),
                o.sideBySide() ? String.format(Locale.ROOT, " (side by side: %.1f s)", training) : "", t.eval(),
                t.stream());
        out.printf(Locale.ROOT, "total time: %.1f s%n", total);
        out.flush();
        return new DemoResult(dir, classes, chance, tsn, tsm, clip[0], clip[1], steps, total, t);
    }

    /** Trains the TSN and the TSM, side by side on two threads or one after the other; returns {tsn, tsm}. */
    private static ModelReport[] trainBoth(Prepared p, Options o, PrintWriter out) throws IOException {
        if (!o.sideBySide()) {
            ModelReport tsm = trainOne("TSM", ShiftPlacement.RESIDUAL, p, p.train(), p.validation(), o, o.progress(),
                    out);
            ModelReport tsn = trainOne("TSN", ShiftPlacement.NONE, p, p.train(), p.validation(), o, o.progress(),
                    out);
            return new ModelReport[] {tsn, tsm};
        }
        out.printf(Locale.ROOT, "%ntraining the TSN and the TSM side by side (two threads, %d ND4J thread(s) each)%n",
                Math.max(1, o.threads()));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(() -> {
                if (o.threads() > 0) {
                    ompThreads(o.threads());
                }
                r.run();
            }, "tsm-demo-train");
            t.setDaemon(true);
            return t;
        });
        try {
            // each training has its own iterators over the same decoded clips (read-only)
            java.util.concurrent.Future<ModelReport> tsm = pool.submit(() -> trainOne("TSM", ShiftPlacement.RESIDUAL,
                    p, p.train(), p.validation(), o, null, out));
            java.util.concurrent.Future<ModelReport> tsn = pool.submit(() -> trainOne("TSN", ShiftPlacement.NONE,
                    p, p.train().copy(), p.validation().copy(), o, null, out));
            return new ModelReport[] {join(tsn), join(tsm)};
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * OpenMP threads of the calling thread's parallel regions (oneDNN's kernels use them): ND4J's
     * {@code setMaxThreads} does not bound them, and with the default (one per core) an idle OpenMP worker spins
     * on the second core beside every training thread (seen: as much CPU as the training thread itself). The
     * setting is per thread, so each training thread makes it.
     */
    private static void ompThreads(int n) {
        org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
    }

    private static ModelReport join(java.util.concurrent.Future<ModelReport> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("tsm demo: interrupted while training", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("tsm demo: training failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * The online-capable half of the demo: generates the dataset and trains only the TSM (residual,
     * uni-directional shift, so the same weights run frame by frame in {@link TsmStreamingModel} and
     * {@code tsm stream}), with the demo's recipe and caching. Used by tests that need a model which
     * has really learned the temporal-order classes, and by {@code tsm demo --save-model}.
     *
     * @param o settings (as for {@link #run})
     * @param out progress lines
     * @return the generated data and the trained TSM ({@link ModelReport#checkpoint()} is a loadable model)
     * @throws IOException when files cannot be written
     */
    public static TsmTraining trainTsm(Options o, PrintWriter out) throws IOException {
        Prepared p = prepare(o, out);
        ModelReport tsm = trainOne("TSM", ShiftPlacement.RESIDUAL, p, p.train(), p.validation(), o, o.progress(), out);
        return new TsmTraining(p.layout(), tsm);
    }

    /**
     * The outcome of {@link #trainTsm}.
     *
     * @param data the generated dataset (training and held-out clips)
     * @param tsm the trained TSM
     */
    public record TsmTraining(TemporalOrderDataset.Layout data, ModelReport tsm) {}

    /**
     * Saves a demo checkpoint as a plain model zip (no optimizer state), e.g. for {@code tsm stream}
     * and {@code tsm predict}; its provenance keeps the training source the checkpoint recorded.
     *
     * @param checkpoint a checkpoint written by the demo ({@link ModelReport#checkpoint()})
     * @param file the model zip to write (parent folders created)
     * @throws IOException when the checkpoint cannot be read or the file written
     */
    public static void saveModel(Path checkpoint, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        TsmModel.load(checkpoint).save(file, false);
    }

    /** Everything both trainings share: folder, generated data, decoded clips, recipe, and how long they took. */
    private record Prepared(Path dir, TemporalOrderDataset.Layout layout, InputSpec input, List<String> classes,
            CachedClips train, CachedClips validation, TrainingRecipe recipe, double generateSeconds,
            double decodeSeconds) {}

    private static Prepared prepare(Options o, PrintWriter out) throws IOException {
        long start = System.nanoTime();
        if (o.threads() > 0) {
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(o.threads());
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(o.threads());
            ompThreads(o.threads());
        }
        Path dir = o.output() != null ? Files.createDirectories(o.output()) : Files.createTempDirectory("tsm-demo-");
        out.printf(Locale.ROOT, "tsm demo: TSN vs TSM on the synthetic temporal-order dataset (seed %d)%n", o.seed());
        out.printf(Locale.ROOT, "output: %s%n", dir);
        TemporalOrderDataset.Layout layout = TemporalOrderDataset.builder().trainPerClass(o.trainPerClass())
                .validationPerClass(o.validationPerClass()).frames(o.segments()).size(o.size()).seed(o.seed())
                .generate(dir.resolve("data"));
        VideoDataset train = layout.train();
        VideoDataset validation = layout.validation();
        List<String> classes = train.classNames();
        double generated = seconds(start);
        out.printf(Locale.ROOT, "data: %d training and %d validation clips, %d classes, %d frames of %d×%d px (%.1f s)%n",
                train.size(), validation.size(), classes.size(), o.segments(), o.size(), o.size(), generated);
        out.flush();

        InputSpec input = InputSpec.imageNet(o.segments()).withSize(o.size(), o.size());
        TrainingRecipe recipe = TrainingRecipe.builder().epochs(o.epochs()).batchSize(o.batchSize())
                .learningRate(o.learningRate()).referenceBatchSize(o.batchSize())
                .lrPolicy(io.github.tsm4j.models.train.LrPolicy.COSINE).lrSteps(List.of()).seed(o.seed()).build();
        out.printf(Locale.ROOT, "recipe: %d epochs, batch %d, lr %.3f cosine, SGD momentum %.1f, weight decay %.0e, "
                + "gradient clip %.0f, ND4J threads %d%n", recipe.epochs(), recipe.batchSize(), recipe.effectiveLearningRate(),
                recipe.momentum(), recipe.weightDecay(), recipe.clipGradientNorm(), o.threads());

        // decode every clip once: the clips are tiny, and decoding them every epoch costs more than training on them
        long decode = System.nanoTime();
        CachedClips trainClips = CachedClips.training(train, input, o.batchSize(), o.seed());
        CachedClips validationClips = CachedClips.validation(validation, input, o.batchSize());
        double decoded = seconds(decode);
        out.printf(Locale.ROOT, "decoded all clips into memory (%.1f s)%n", decoded);
        return new Prepared(dir, layout, input, classes, trainClips, validationClips, recipe, generated, decoded);
    }

    /** The provenance source of the demo's models: the generated dataset and how it was made. */
    private static Map<String, Object> source(Options o, Prepared p) {
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("generator", "TemporalOrderDataset");
        dataset.put("seed", o.seed());
        dataset.put("trainClips", p.train().clips());
        dataset.put("validationClips", p.validation().clips());
        dataset.put("frames", o.segments());
        dataset.put("size", o.size());
        dataset.put("folder", p.layout().root().toString());
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("command", "tsm demo");
        source.put("dataset", dataset);
        return source;
    }

    private static ModelReport trainOne(String name, ShiftPlacement placement, Prepared p, CachedClips train,
            CachedClips validation, Options o, PrintStream bars, PrintWriter out) throws IOException {
        long start = System.nanoTime();
        Path dir = p.dir().resolve(name.toLowerCase(Locale.ROOT));
        List<String> classes = p.classes();
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, classes.size()).input(p.input()).placement(placement)
                .direction(ShiftDirection.UNIDIRECTIONAL).baseWidth(o.baseWidth()).foldDiv(o.foldDiv())
                .dropout(DEFAULT_DROPOUT).dataFormat(o.dataFormat()).build();
        TsmModel model = TsmModel.create(config, classes, TsmNetworks.defaultGlobals().seed(o.seed()),
                        io.github.tsm4j.examples.ExecutionOverrides.fromSystemProperties())
                .withSource(source(o, p));
        out.printf(Locale.ROOT, "%s: ResNet-18 (width %d), shift %s, %d trainable parameters%n", name, o.baseWidth(),
                placement, TsmNetworks.trainableParams(model.graph()));
        out.flush();
        Files.createDirectories(dir);
        int batches = (train.clips() + o.batchSize() - 1) / o.batchSize();
        Trainer.TrainingResult r = Trainer.builder(model, p.recipe()).checkpointDir(dir).validation(validation)
                .beforeEpoch(train::setEpoch).progress(new ConsoleProgress(name, batches, bars, out)).build()
                .fit(train);
        // the trainer evaluated the last epoch on the validation clips already
        EvaluationResult eval = r.lastValidation() != null ? r.lastValidation()
                : Evaluator.evaluate(r.model().graph(), validation, 1, classes);
        return new ModelReport(name, placement, eval.top1(), eval.top5(), eval.meanClassAccuracy(),
                TsmNetworks.trainableParams(r.model().graph()), seconds(start), r.history(),
                dir.resolve(Trainer.LAST_CHECKPOINT), eval);
    }

    /** Streams the first validation clip through the online TSM, frame by frame. */
    private static String[] stream(Path checkpoint, VideoDataset validation, InputSpec input, List<StreamStep> steps,
            PrintWriter out) throws IOException {
        TsmModel model = TsmModel.load(checkpoint);
        TsmStreamingModel online = TsmStreamingModel.of(model, 1);
        DataSet clip;
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(validation, input).batchSize(1).training(false)
                .workers(1).build()) {
            clip = it.next();
        }
        String id = String.valueOf(clip.getExampleMetaData().get(0));
        String truth = model.labels().get(clip.getLabels().argMax(1).getInt(0));
        out.printf(Locale.ROOT, "%nstreaming validation clip %s (true class: %s) through the online TSM, one frame at a time:%n",
                id, truth);
        INDArray frames = clip.getFeatures();
        int k = model.labels().size();
        double[] sum = new double[k];
        online.reset();
        for (int t = 0; t < frames.size(0); t++) {
            INDArray frame = frames.get(NDArrayIndex.interval(t, t + 1), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.all()).dup();
            double[] logits = online.step(frame).toDoubleVector();
            double[] p = Evaluator.softmax(logits);
            for (int c = 0; c < k; c++) {
                sum[c] += logits[c];
            }
            double[] mean = new double[k];
            for (int c = 0; c < k; c++) {
                mean[c] = sum[c] / (t + 1);
            }
            double[] running = Evaluator.softmax(mean);
            int best = argMax(p);
            int runningBest = argMax(running);
            StreamStep s = new StreamStep(t + 1, model.labels().get(best), p[best], model.labels().get(runningBest),
                    running[runningBest]);
            steps.add(s);
            out.printf(Locale.ROOT, "  frame %d: %-40s %5.1f%%   so far: %-40s %5.1f%%%n", s.frame(), s.label(),
                    100 * s.probability(), s.runningLabel(), 100 * s.runningProbability());
        }
        out.flush();
        return new String[] {id, truth};
    }

    private static int argMax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
