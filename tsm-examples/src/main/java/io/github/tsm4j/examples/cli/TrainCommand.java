package io.github.tsm4j.examples.cli;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.iterator.ClipDataSetIterator;
import io.github.tsm4j.examples.ExecutionOverrides;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.train.EvaluationResult;
import io.github.tsm4j.models.train.Trainer;
import io.github.tsm4j.models.train.TrainingRecipe;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tsm train}: trains a TSM (or TSN) network on a Something-Something-V2-format dataset with the
 * official recipe, writing checkpoints, the JSON-lines log and plots into {@code --output}; or resumes
 * an interrupted run with {@code --resume output/last.zip}. With {@code --spark-master} the minibatches of every
 * epoch are fitted on Spark ({@code SparkTraining}, {@code SparkEpochFitter}) by the same {@code Trainer}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a TSM/TSN network (official recipe; checkpoints every epoch; --resume continues).",
            "With --spark-master the epochs run on Apache Spark (DL4J's Spark training); everything else is the same."})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatasetOptions data;

    @Option(names = "--train", required = true, description = "Training split (SSv2 JSON list).")
    Path trainSplit;

    @Option(names = "--val", description = "Validation split, evaluated after every epoch.")
    Path valSplit;

    @Option(names = "--output", required = true, description = "Folder for last.zip, best.zip, training.jsonl and plots.")
    Path output;

    @Option(names = "--resume", description = "Continue from this checkpoint (model, optimizer state, epoch, recipe).")
    Path resume;

    @Option(names = "--backbone", defaultValue = "RESNET50", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Backbone backbone;

    @Option(names = "--shift", defaultValue = "RESIDUAL", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ShiftPlacement placement;

    @Option(names = "--direction", defaultValue = "BIDIRECTIONAL", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ShiftDirection direction;

    @Option(names = "--segments", defaultValue = "" + TsmConfig.DEFAULT_SEGMENTS, description = "Frames per clip (default: ${DEFAULT-VALUE}).")
    int segments;

    @Option(names = "--size", defaultValue = "224", description = "Crop size (default: ${DEFAULT-VALUE}).")
    int cropSize;

    @Option(names = "--scale", defaultValue = "256", description = "Short side before cropping (default: ${DEFAULT-VALUE}).")
    int scaleSize;

    @Option(names = "--base-width", defaultValue = "" + TsmConfig.DEFAULT_BASE_WIDTH,
            description = "ResNet stem width (default: ${DEFAULT-VALUE} = torchvision).")
    int baseWidth;

    @Option(names = "--dropout", defaultValue = "" + TsmConfig.DEFAULT_DROPOUT, description = "Dropout before fc (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--init", paramLabel = "SOURCE", description = {
        "Start from: 'imagenet' (torchvision ImageNet weights of --backbone, through the zoo cache; classifier new, as the "
                + "official recipe), a zoo ImageNet id (tsm zoo list), a torchvision .pth file (backbone weights, classifier "
                + "new), or a tsm4j model zip (same classes)."})
    String init;

    @Option(names = "--cache", paramLabel = "DIR", description = "Zoo cache for --init imagenet (default: $TSM4J_CACHE, else ~/.cache/tsm4j).")
    Path cache;

    @Option(names = "--workers", defaultValue = "2", description = "Video decoding threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @ArgGroup(exclusive = false, heading = "Recipe%n")
    RecipeOptions recipeOptions = new RecipeOptions();

    @Option(names = "--spark-master", paramLabel = "URL",
            description = {"Train on Apache Spark: local[N], local[N,RETRIES], spark://host:7077, or 'default' for "
                    + "spark-submit's master. The same recipe, validation, checkpoints and log; executors decode their "
                    + "own clips; --batch-size is the global minibatch (docs/distributed.md)."})
    String sparkMaster;

    @Option(names = "--spark-workers", paramLabel = "N",
            description = "Spark training workers = partitions; --batch-size must be a multiple (default: the cluster's "
                    + "default parallelism).")
    Integer sparkWorkers;

    @Option(names = "--spark-approach", paramLabel = "A",
            description = "PARAMETER_AVERAGING (synchronous, the single-machine step) or SHARED_GRADIENTS (threshold-"
                    + "encoded asynchronous updates; default: PARAMETER_AVERAGING).")
    SparkApproach sparkApproach;

    @Option(names = "--averaging-frequency", paramLabel = "N",
            description = "PARAMETER_AVERAGING: steps between averagings (default: 1).")
    Integer averagingFrequency;

    @Option(names = "--spark-threshold", paramLabel = "X",
            description = "SHARED_GRADIENTS: initial encoding threshold (default: 1e-3).")
    Double sparkThreshold;

    @Option(names = "--spark-port", paramLabel = "PORT",
            description = "SHARED_GRADIENTS: UDP port of the update mesh on the driver (default: 40123).")
    Integer sparkPort;

    /** How Spark workers combine their updates (mirrors {@code SparkEpochFitter.Approach}, without loading Spark). */
    public enum SparkApproach {
        /** DL4J {@code ParameterAveragingTrainingMaster}. */
        PARAMETER_AVERAGING,
        /** DL4J {@code SharedTrainingMaster}. */
        SHARED_GRADIENTS
    }

    /**
     * Spark settings of {@code tsm train --spark-master}.
     *
     * @param master master URL, or {@value #DEFAULT_MASTER} for spark-submit's {@code spark.master}
     * @param workers training workers (0 = the cluster's default parallelism)
     * @param approach how workers combine updates
     * @param averagingFrequency steps between averagings
     * @param threshold initial gradient-sharing threshold
     * @param port gradient-sharing UDP port
     */
    public record SparkSettings(String master, int workers, SparkApproach approach, int averagingFrequency,
            double threshold, int port) {
        /** The master value that means "spark-submit's". */
        public static final String DEFAULT_MASTER = "default";

        /** Validates. */
        public SparkSettings {
            if (master == null || master.isBlank()) {
                throw new IllegalArgumentException("--spark-master must be a URL such as local[2] or spark://host:7077, "
                        + "found '" + master + "'");
            }
            java.util.Objects.requireNonNull(approach, "approach");
        }

        /**
         * @param master master URL
         * @param workers workers (0 = default parallelism)
         * @return parameter averaging every step, default threshold and port
         */
        public static SparkSettings of(String master, int workers) {
            return new SparkSettings(master, workers, SparkApproach.PARAMETER_AVERAGING, 1, 1e-3, 40123);
        }
    }

    /**
     * What {@code tsm train} does.
     *
     * @param labels labels.json
     * @param videos video folder
     * @param trainSplit training split
     * @param valSplit validation split or null
     * @param output output folder
     * @param resume checkpoint to resume or null
     * @param config network (ignored when resuming or with init)
     * @param init model zip to start from, or null
     * @param recipe recipe (ignored when resuming: the checkpoint's recipe continues)
     * @param workers decoding threads
     * @param progress progress bar stream or null
     * @param initialiser makes the starting model from the network and the dataset's classes (ImageNet weights), or
     *     null; exclusive with {@code init}
     */
    public record Options(Path labels, Path videos, Path trainSplit, Path valSplit, Path output, Path resume,
            TsmConfig config, Path init, TrainingRecipe recipe, int workers, PrintStream progress, Initialiser initialiser) {

        /** Options without an initialiser (see the canonical constructor). */
        public Options(Path labels, Path videos, Path trainSplit, Path valSplit, Path output, Path resume,
                TsmConfig config, Path init, TrainingRecipe recipe, int workers, PrintStream progress) {
            this(labels, videos, trainSplit, valSplit, output, resume, config, init, recipe, workers, progress, null);
        }
    }

    /** Makes the starting model of a training run, e.g. ImageNet backbone weights with a new classifier. */
    @FunctionalInterface
    public interface Initialiser {
        /**
         * @param config the network to train, with the dataset's class count
         * @param classes the dataset's classes
         * @return the model to start from
         * @throws IOException when weights cannot be fetched or read
         */
        TsmModel create(TsmConfig config, List<String> classes) throws IOException;
    }

    /**
     * The initialiser for {@code --init}: {@code imagenet} (the zoo's torchvision weights of the backbone), a zoo id,
     * or a checkpoint file that is not a tsm4j zip; null for a zip (loaded as a model) or no {@code --init}.
     *
     * @param init the flag's value or null
     * @param backbone the network's backbone (for {@code imagenet})
     * @param zoo the zoo settings
     * @return the initialiser or null
     */
    static Initialiser initialiser(String init, Backbone backbone, io.github.tsm4j.models.zoo.ZooOptions zoo) {
        if (init == null || init.endsWith(".zip")) {
            return null;
        }
        io.github.tsm4j.models.zoo.Catalogue catalogue = io.github.tsm4j.models.zoo.Catalogue.builtIn();
        String id = init.equalsIgnoreCase("imagenet") ? "torchvision-" + backbone.archName() + "-imagenet" : init;
        if (catalogue.find(id).isPresent()) {
            return (config, classes) -> io.github.tsm4j.models.zoo.PretrainedModels.of(catalogue, zoo)
                    .initialise(id, config, classes);
        }
        Path file = Path.of(init);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--init " + init + ": neither 'imagenet', a zoo id, nor a file"
                    + (catalogue.closeMatches(init).isEmpty() ? "" : "; close zoo ids: " + catalogue.closeMatches(init)));
        }
        return (config, classes) -> io.github.tsm4j.models.zoo.PretrainedModels.initialiseFromFile(file, config, classes);
    }

    /**
     * @param history epochs (including those before a resume)
     * @param lastValidation last validation result or null
     * @param checkpoint last checkpoint
     */
    public record Result(List<io.github.tsm4j.models.train.EpochRecord> history, EvaluationResult lastValidation,
            Path checkpoint) {}

    @Override
    public Integer call() throws IOException {
        SparkSettings sparkSettings = sparkSettings();
        TsmConfig config = TsmConfig.builder(backbone, 1).placement(placement).direction(direction).segments(segments)
                .inputSize(cropSize, scaleSize).baseWidth(baseWidth).dropout(dropout).build();
        Initialiser initialiser = initialiser(init, backbone, ZooCommand.options(cache,
                noProgress ? null : spec.commandLine().getErr()));
        Path initZip = init != null && initialiser == null ? Path.of(init) : null;
        run(new Options(data.labels, data.videos, trainSplit, valSplit, output, resume, config, initZip,
                recipeOptions.recipe(), workers, noProgress ? null : System.err, initialiser), sparkSettings,
                spec.commandLine().getOut());
        return 0;
    }

    /** @return the Spark settings, or null without --spark-master; usage errors for flags that do not apply */
    private SparkSettings sparkSettings() {
        picocli.CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        if (sparkMaster == null) {
            for (String flag : List.of("--spark-workers", "--spark-approach", "--averaging-frequency",
                    "--spark-threshold", "--spark-port")) {
                if (pr.hasMatchedOption(flag)) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            flag + " applies to Spark training only: add --spark-master URL");
                }
            }
            return null;
        }
        if (pr.hasMatchedOption("--workers")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--workers sets local decoding threads "
                    + "and does not apply with --spark-master (executors decode their own clips); use --spark-workers "
                    + "for the number of Spark training workers");
        }
        SparkApproach approach = sparkApproach == null ? SparkApproach.PARAMETER_AVERAGING : sparkApproach;
        if (approach == SparkApproach.PARAMETER_AVERAGING && pr.hasMatchedOption("--spark-threshold")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--spark-threshold applies to --spark-approach SHARED_GRADIENTS only");
        }
        if (approach == SparkApproach.PARAMETER_AVERAGING && pr.hasMatchedOption("--spark-port")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--spark-port applies to --spark-approach SHARED_GRADIENTS only");
        }
        if (approach == SparkApproach.SHARED_GRADIENTS && pr.hasMatchedOption("--averaging-frequency")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--averaging-frequency applies to --spark-approach PARAMETER_AVERAGING only");
        }
        int w = sparkWorkers == null ? 0 : sparkWorkers;
        if (w < 0 || (averagingFrequency != null && averagingFrequency < 1)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--spark-workers must be >= 0 and --averaging-frequency >= 1");
        }
        if (w > 0 && recipeOptions.batchSize % w != 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch-size " + recipeOptions.batchSize
                    + " is the global minibatch and must be a multiple of --spark-workers " + w);
        }
        return new SparkSettings(sparkMaster, w, approach, averagingFrequency == null ? 1 : averagingFrequency,
                sparkThreshold == null ? 1e-3 : sparkThreshold, sparkPort == null ? 40123 : sparkPort);
    }

    /**
     * Trains (or resumes).
     *
     * @param o options; {@code config.numClasses()} is replaced by the dataset's class count
     * @param out summary lines
     * @return the result
     * @throws IOException on unreadable data or unwritable output
     */
    public static Result run(Options o, PrintWriter out) throws IOException {
        return run(o, null, out);
    }

    /**
     * Trains (or resumes), on this machine or on Spark.
     *
     * @param o options; {@code config.numClasses()} is replaced by the dataset's class count; {@code workers}
     *     (decoding threads) is unused on Spark
     * @param spark Spark settings, or null to train on this JVM
     * @param out summary lines
     * @return the result
     * @throws IOException on unreadable data or unwritable output
     */
    public static Result run(Options o, SparkSettings spark, PrintWriter out) throws IOException {
        if (spark != null) {
            SparkTraining.requireSpark();
        }
        VideoDataset train = io.github.tsm4j.data.dataset.SomethingSomethingV2.read(o.labels(), o.trainSplit(), o.videos());
        VideoDataset val = o.valSplit() == null ? null
                : io.github.tsm4j.data.dataset.SomethingSomethingV2.read(o.labels(), o.valSplit(), o.videos());
        List<String> classes = train.classNames();
        Files.createDirectories(o.output());
        ExecutionOptions execution = ExecutionOverrides.fromSystemProperties();
        Trainer.Builder builder;
        if (o.resume() != null) {
            builder = Trainer.resume(o.resume());
            if (!builder.model().labels().equals(classes)) {
                throw new IllegalArgumentException("checkpoint " + o.resume() + " has classes " + builder.model().labels()
                        + " but the dataset has " + classes);
            }
            out.printf(Locale.ROOT, "resuming %s%n", o.resume());
        } else {
            TsmModel model;
            if (o.init() != null) {
                model = TsmModel.load(o.init());
                if (!model.labels().equals(classes)) {
                    throw new IllegalArgumentException("--init model " + o.init() + " has " + model.labels().size()
                            + " classes " + model.labels() + ", the dataset has " + classes.size() + " " + classes);
                }
            } else if (o.initialiser() != null) {
                model = o.initialiser().create(o.config().toBuilder().numClasses(classes.size()).build(), classes);
                out.printf(Locale.ROOT, "initialised from %s%n", model.source().getOrDefault("zooId",
                        model.source().getOrDefault("imported", "ImageNet weights")));
            } else {
                TsmConfig config = o.config().toBuilder().numClasses(classes.size()).build();
                model = TsmModel.create(config, classes, TsmNetworks.defaultGlobals().seed(o.recipe().seed()), execution);
            }
            model = model.withSource(trainingSource(o.labels(), o.videos(), o.trainSplit(), o.valSplit(), o.init(),
                    o.init() != null || o.initialiser() != null ? model : null));
            builder = Trainer.builder(model, o.recipe());
        }
        builder.options(execution);
        InputSpec input = builder.model().config().input();
        TrainingRecipe recipe = builder.recipe();
        try (ClipDataSetIterator trainIt = spark != null ? null : ClipDataSetIterator.builder(train, input)
                        .batchSize(recipe.batchSize()).training(true).seed(recipe.seed()).workers(o.workers()).build();
                ClipDataSetIterator valIt = val == null ? null : ClipDataSetIterator.builder(val, input)
                        .batchSize(recipe.batchSize()).training(false).workers(o.workers()).build()) {
            int batches = (train.size() + recipe.batchSize() - 1) / recipe.batchSize();
            builder.checkpointDir(o.output()).validation(valIt);
            Trainer.TrainingResult r;
            if (spark == null) {
                r = builder.beforeEpoch(trainIt::setEpoch)
                        .progress(new ConsoleProgress("train", batches, o.progress(), out)).build().fit(trainIt);
            } else {
                r = SparkTraining.fit(builder.progress(new EpochLines(out)), train, input, recipe, spark, out);
            }
            TrainingPlots.curves(Map.of("train", r.history()), o.output().resolve(TrainingPlots.CURVES));
            if (r.lastValidation() != null) {
                TrainingPlots.confusion(r.lastValidation(), "validation", o.output().resolve(TrainingPlots.CONFUSION));
                r.lastValidation().writePredictionsCsv(o.output().resolve("predictions.csv"));
            }
            out.printf(Locale.ROOT, "checkpoints, training.jsonl and plots in %s%n", o.output());
            out.flush();
            return new Result(r.history(), r.lastValidation(), o.output().resolve(Trainer.LAST_CHECKPOINT));
        }
    }

    /**
     * The provenance source of a {@code tsm train} run, recorded in every checkpoint.
     *
     * @param labels labels.json
     * @param videos video folder
     * @param trainSplit training split
     * @param valSplit validation split or null
     * @param init the model zip training starts from, or null
     * @param initModel that model (its own recorded source is kept), or null
     * @return {@code command, dataset {labels, videos, train, val}, init {file, source}}
     */
    static Map<String, Object> trainingSource(Path labels, Path videos, Path trainSplit, Path valSplit, Path init,
            TsmModel initModel) {
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("labels", String.valueOf(labels));
        dataset.put("videos", String.valueOf(videos));
        dataset.put("train", String.valueOf(trainSplit));
        if (valSplit != null) {
            dataset.put("val", valSplit.toString());
        }
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("command", "tsm train");
        source.put("dataset", dataset);
        if (init != null || initModel != null) {
            Map<String, Object> from = new LinkedHashMap<>();
            if (init != null) {
                from.put("file", init.toString());
            }
            if (initModel != null && !initModel.source().isEmpty()) {
                from.put("source", initModel.source());
            }
            source.put("init", from);
        }
        return source;
    }

    /** One line per epoch on the command's output (Spark training reports whole epochs). */
    private record EpochLines(PrintWriter out) implements io.github.tsm4j.models.train.TrainingProgress {
        @Override
        public void epochDone(io.github.tsm4j.models.train.EpochRecord r) {
            out.printf(Locale.ROOT, "epoch %d: loss %.4f, val top-1 %s, %.2f clips/s, %.1f s%n", r.epoch(), r.loss(),
                    r.valTop1() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.valTop1()), r.clipsPerSecond(),
                    r.seconds());
            out.flush();
        }
    }
}
