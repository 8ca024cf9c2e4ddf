package io.github.tsm4j.examples.cli;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.examples.spark.SparkTrainer;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.train.ParameterGroups;
import io.github.tsm4j.models.train.TrainingRecipe;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tsm spark-train}: trains a TSM network on Spark (DL4J's training masters). The driver sends annotation
 * rows; executors decode their own clips; the driver evaluates and writes TsmModel checkpoints. Under
 * spark-submit the master comes from spark-submit ({@code spark.master}); see docs/distributed.md.
 */
@Command(name = "spark-train", mixinStandardHelpOptions = true,
        description = {"Train a TSM network on Apache Spark (local[N] or a cluster) with DL4J's Spark training.",
            "Data: a Something-Something-V2-layout folder (labels.json, train.json, validation.json, videos/),",
            "e.g. the synthetic temporal-order set made with --synthetic."})
public final class SparkTrainCommand implements Callable<Integer> {
    /** Default Spark master outside spark-submit. */
    public static final String DEFAULT_MASTER = "local[2]";

    @Spec
    CommandSpec spec;

    @Option(names = "--spark-master", paramLabel = "URL",
            description = "Spark master: local[N], local[N,RETRIES], spark://host:7077 (default: spark-submit's "
                    + "spark.master, else " + DEFAULT_MASTER + ").")
    String master;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Dataset folder (labels.json, train.json, validation.json, videos/) visible to every executor.")
    Path data;

    @Option(names = "--synthetic", paramLabel = "N",
            description = "First generate the synthetic temporal-order set with N training clips per class into --data "
                    + "(if it has no train.json).")
    Integer synthetic;

    @Option(names = {"-o", "--checkpoint-dir"}, required = true, paramLabel = "DIR",
            description = "Folder for last.zip / best.zip (TsmModel files).")
    Path checkpointDir;

    @Option(names = "--arch", paramLabel = "ARCH", description = "Backbone: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Backbone arch = Backbone.RESNET50;

    @Option(names = "--base-width", paramLabel = "C", description = "ResNet stem width (default: ${DEFAULT-VALUE}; tiny tests use 8).")
    int baseWidth = TsmConfig.DEFAULT_BASE_WIDTH;

    @Option(names = "--segments", paramLabel = "T", description = "Frames per clip (default: ${DEFAULT-VALUE}).")
    int segments = TsmConfig.DEFAULT_SEGMENTS;

    @Option(names = "--crop-size", paramLabel = "PX", description = "Input crop (default: ${DEFAULT-VALUE}).")
    int cropSize = 224;

    @Option(names = "--scale-size", paramLabel = "PX", description = "Short side before cropping (default: ${DEFAULT-VALUE}).")
    int scaleSize = 256;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs = 1;

    @Option(names = "--batch-size-per-worker", paramLabel = "B", description = "Clips per worker minibatch (default: ${DEFAULT-VALUE}).")
    int batchSizePerWorker = SparkTrainer.DEFAULT_BATCH_SIZE_PER_WORKER;

    @Option(names = "--workers", paramLabel = "N", description = "Concurrent workers = partitions (default: the cluster's default parallelism).")
    int workers;

    @Option(names = "--approach", paramLabel = "A",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    SparkTrainer.Approach approach = SparkTrainer.Approach.PARAMETER_AVERAGING;

    @Option(names = "--averaging-frequency", paramLabel = "N",
            description = "Minibatches between parameter averagings (default: ${DEFAULT-VALUE}).")
    int averagingFrequency = SparkTrainer.DEFAULT_AVERAGING_FREQUENCY;

    @Option(names = "--threshold", paramLabel = "X",
            description = "Initial gradient-sharing encoding threshold (default: ${DEFAULT-VALUE}).")
    double threshold = SparkTrainer.DEFAULT_THRESHOLD;

    @Option(names = "--lr", paramLabel = "LR",
            description = "Learning rate per worker minibatch (TrainingRecipe: SGD momentum, step decay at epochs 20 and 40, "
                    + "parameter groups; default: ${DEFAULT-VALUE}).")
    double lr = TrainingRecipe.DEFAULT_LEARNING_RATE;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum = TrainingRecipe.DEFAULT_MOMENTUM;

    @Option(names = "--wd", paramLabel = "WD", description = "Weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay = TrainingRecipe.DEFAULT_WEIGHT_DECAY;

    @Option(names = "--flip", description = "Random horizontal flips (off for Something-Something, Jester, the synthetic set).")
    boolean flip;

    @Option(names = "--seed", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed = TsmNetworks.DEFAULT_SEED;

    @Override
    public Integer call() throws Exception {
        try {
            Class.forName("org.apache.spark.SparkConf", false, getClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Spark is not on the class path: run tsm.jar with spark-submit, or build it "
                    + "with 'mvn -Pspark-bundle package' (docs/distributed.md)", e);
        }
        if (synthetic != null && !Files.exists(data.resolve(TemporalOrderDataset.TRAIN))) {
            TemporalOrderDataset.builder().trainPerClass(synthetic).validationPerClass(Math.max(1, synthetic / 2))
                    .frames(Math.max(16, segments * 2)).size(scaleSize).seed(seed).generate(data);
        }
        TemporalOrderDataset.Layout layout = TemporalOrderDataset.Layout.of(data);
        VideoDataset train = layout.train();
        VideoDataset validation = Files.exists(layout.validationJson()) ? layout.validation() : null;
        TsmConfig config = TsmConfig.builder(arch, train.numClasses()).segments(segments)
                .input(new InputSpec(segments, cropSize, scaleSize, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD))
                .baseWidth(baseWidth).build();
        TsmModel model = TsmModel.create(config, train.classNames(), TsmNetworks.defaultGlobals().seed(seed));
        // the single-machine recipe's updaters, schedule, weight decay and parameter groups live in the graph
        // configuration, which DL4J ships to the workers; global-norm clipping (a Trainer listener) does not apply
        TrainingRecipe recipe = TrainingRecipe.builder().epochs(epochs).batchSize(batchSizePerWorker)
                .referenceBatchSize(batchSizePerWorker).learningRate(lr).momentum(momentum).weightDecay(weightDecay)
                .clipGradientNorm(0).seed(seed).build();
        org.deeplearning4j.nn.graph.ComputationGraph graph = ParameterGroups.configure(model.graph(), recipe, 1);
        String url = master != null ? master : System.getProperty("spark.master", DEFAULT_MASTER);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s on %s: %d training clips, %d classes, %s, %d epoch(s)%n", arch, url, train.size(),
                train.numClasses(), approach, epochs);
        out.flush();
        SparkTrainer.Result r = SparkTrainer.builder(graph, train, config.input())
                .master(url).workers(workers).batchSizePerWorker(batchSizePerWorker).epochs(epochs)
                .approach(approach).averagingFrequency(averagingFrequency).threshold(threshold)
                .flip(flip).seed(seed).validation(validation).validationBatchSize(batchSizePerWorker)
                .checkpointDir(checkpointDir)
                .checkpointWriter((g, f) -> TsmModel.wrap(g, config, train.classNames()).save(f, true))
                .listener(e -> {
                    out.printf("epoch %d: loss %.4f, validation accuracy %.3f, %.2f clips/s%n", e.epoch(),
                            e.trainScore(), e.validationAccuracy(), e.clipsPerSecond());
                    out.flush();
                })
                .build().fit();
        out.printf("best validation accuracy %.3f (epoch %d); checkpoints in %s%n", r.bestAccuracy(), r.bestEpoch(),
                checkpointDir);
        out.flush();
        return 0;
    }
}
