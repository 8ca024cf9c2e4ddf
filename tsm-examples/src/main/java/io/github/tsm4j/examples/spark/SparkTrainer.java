package io.github.tsm4j.examples.spark;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.dataset.VideoSample;
import io.github.tsm4j.data.iterator.ClipDataSetIterator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.repartitioner.NoOpRepartitioner;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a TSM {@link ComputationGraph} (input {@code [N·T, 3, crop, crop]}, labels {@code [N, K]}) on Spark
 * with DL4J's training masters. Per epoch the driver shuffles the annotation rows, sends them as a
 * {@code JavaRDD<ClipRow>} in {@code workers} partitions, executors decode and augment their own clips
 * ({@link ClipDecodeFunction}) and fit with {@link SparkComputationGraph}; no decoded tensor is shipped (DL4J
 * caches an executor's clips in that executor for the epoch, {@code MEMORY_AND_DISK_SER}, then they are
 * dropped). After each epoch the driver evaluates clip accuracy on the validation set (single centre-crop clip,
 * decoded on the driver as in single-machine evaluation) and writes {@value #LAST_CHECKPOINT} and, on a new
 * best accuracy, {@value #BEST_CHECKPOINT} atomically.
 */
public final class SparkTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    /** Checkpoint written after every epoch. */
    public static final String LAST_CHECKPOINT = "last.zip";
    /** Checkpoint of the best validation accuracy. */
    public static final String BEST_CHECKPOINT = "best.zip";
    /** Default per-worker minibatch, in clips. */
    public static final int DEFAULT_BATCH_SIZE_PER_WORKER = 8;
    /** Default minibatches between parameter averagings. */
    public static final int DEFAULT_AVERAGING_FREQUENCY = 1;
    /** Default initial threshold of the gradient-sharing encoder. */
    public static final double DEFAULT_THRESHOLD = 1e-3;
    /** Default UDP port of the gradient-sharing mesh (Aeron). */
    public static final int DEFAULT_UNICAST_PORT = 40123;
    /**
     * Aeron (1.39, what ND4J M2.1 ships) refuses DL4J's 30 s client liveness timeout unless the publication
     * unblock timeout is longer: this is set on driver and executors unless the user set it.
     */
    static final String AERON_UNBLOCK_PROPERTY = "aeron.publication.unblock.timeout";
    static final String AERON_UNBLOCK_NANOS = "60000000000";

    /** How the workers combine their work. */
    public enum Approach {
        /** {@code SharedTrainingMaster}: asynchronous sharing of threshold-encoded (sparse) gradient updates. */
        SHARED_GRADIENTS,
        /** {@code ParameterAveragingTrainingMaster}: synchronous averaging of parameters and updater state. */
        PARAMETER_AVERAGING
    }

    /** Writes a checkpoint of the network (e.g. as a TsmModel zip with config and labels). */
    @FunctionalInterface
    public interface CheckpointWriter {
        /**
         * @param graph the trained network
         * @param file destination
         * @throws IOException on write failure
         */
        void write(ComputationGraph graph, Path file) throws IOException;
    }

    /**
     * One epoch.
     *
     * @param epoch 1-based epoch
     * @param trainScore mean minibatch loss reported by the training master
     * @param validationAccuracy top-1 clip accuracy in [0, 1], NaN without a validation set
     * @param clips training clips seen
     * @param seconds wall time of the distributed fit (decoding included, evaluation excluded)
     */
    public record EpochResult(int epoch, double trainScore, double validationAccuracy, int clips, double seconds) {
        /** @return training throughput */
        public double clipsPerSecond() {
            return clips / seconds;
        }
    }

    /**
     * @param model the trained network (the driver's copy)
     * @param history one entry per epoch
     * @param bestEpoch epoch of the best validation accuracy (0 without validation)
     * @param bestAccuracy that accuracy (NaN without validation)
     */
    public record Result(ComputationGraph model, List<EpochResult> history, int bestEpoch, double bestAccuracy) {}

    private final Builder b;

    private SparkTrainer(Builder b) {
        this.b = b;
    }

    /**
     * @param graph an initialised network (its updater configuration is the one trained with)
     * @param train labelled training rows
     * @param spec the network's input description
     * @return a builder
     */
    public static Builder builder(ComputationGraph graph, VideoDataset train, InputSpec spec) {
        return new Builder(graph, train, spec);
    }

    /** Sets the Aeron property on this JVM unless set (idempotent; called on driver and executors). */
    static void configureAeron() {
        if (System.getProperty(AERON_UNBLOCK_PROPERTY) == null) {
            System.setProperty(AERON_UNBLOCK_PROPERTY, AERON_UNBLOCK_NANOS);
        }
    }

    /**
     * Runs the training; creates (and stops) a Spark context for {@link Builder#master} unless one was given.
     *
     * @return the result
     * @throws IOException when a checkpoint cannot be written
     */
    public Result fit() throws IOException {
        configureAeron();
        if (b.context != null) {
            return fit(b.context);
        }
        SparkConf conf = new SparkConf().setMaster(b.master).setAppName("tsm4j-train")
                .set("spark.ui.enabled", "false")
                .set("spark.executor.extraJavaOptions", "-D" + AERON_UNBLOCK_PROPERTY + "=" + AERON_UNBLOCK_NANOS);
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            return fit(sc);
        }
    }

    private Result fit(JavaSparkContext sc) throws IOException {
        int workers = b.workers > 0 ? b.workers : sc.defaultParallelism();
        int t = b.spec.segments();
        TrainingMaster<?, ?> master = switch (b.approach) {
            case SHARED_GRADIENTS -> new SharedTrainingMaster.Builder(VoidConfiguration.builder()
                    .unicastPort(b.unicastPort)
                    .controllerAddress(sc.getConf().get("spark.driver.host", "127.0.0.1"))
                    .build(), t)
                    .updatesThreshold(b.threshold)
                    .batchSizePerWorker(b.batchSizePerWorker * t)
                    .workersPerNode(1)
                    .workerPrefetchNumBatches(0)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .repartitioner(new NoOpRepartitioner())
                    .repartitionData(Repartition.Never)
                    .storageLevel(StorageLevel.MEMORY_AND_DISK_SER())
                    .rngSeed(b.seed)
                    .build();
            case PARAMETER_AVERAGING -> new ParameterAveragingTrainingMaster.Builder(workers, t)
                    .batchSizePerWorker(b.batchSizePerWorker * t)
                    .averagingFrequency(b.averagingFrequency)
                    .workerPrefetchNumBatches(0)
                    .saveUpdater(true)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .repartionData(Repartition.Never)
                    .storageLevel(StorageLevel.MEMORY_AND_DISK_SER())
                    .rngSeed(b.seed)
                    .build();
        };
        SparkComputationGraph net = new SparkComputationGraph(sc, b.graph, master);
        List<EpochResult> history = new ArrayList<>();
        int bestEpoch = 0;
        double best = Double.NaN;
        if (b.checkpointDir != null) {
            Files.createDirectories(b.checkpointDir);
        }
        try {
            for (int epoch = 1; epoch <= b.epochs; epoch++) {
                List<ClipRow> rows = rows(epoch);
                JavaRDD<DataSet> data = sc.parallelize(rows, workers).mapPartitions(
                        new ClipDecodeFunction(b.spec, b.train.numClasses(), b.flip, b.seed, epoch, b.source));
                long start = System.nanoTime();
                net.fit(data);
                double seconds = (System.nanoTime() - start) / 1e9;
                data.unpersist(false);
                double acc = b.validation == null ? Double.NaN : accuracy(net.getNetwork(), b.validation, b.spec,
                        b.validationBatchSize);
                EpochResult r = new EpochResult(epoch, net.getScore(), acc, rows.size(), seconds);
                history.add(r);
                LOG.info("epoch {}/{}: loss {}, validation accuracy {}, {} clips in {} s ({} clips/s, {} workers, {})",
                        epoch, b.epochs, String.format("%.4f", r.trainScore()), String.format("%.3f", acc),
                        rows.size(), String.format("%.1f", seconds), String.format("%.2f", r.clipsPerSecond()),
                        workers, b.approach);
                if (b.checkpointDir != null) {
                    writeAtomically(net.getNetwork(), b.checkpointDir.resolve(LAST_CHECKPOINT));
                }
                if (!Double.isNaN(acc) && (Double.isNaN(best) || acc > best)) {
                    best = acc;
                    bestEpoch = epoch;
                    if (b.checkpointDir != null) {
                        Files.copy(b.checkpointDir.resolve(LAST_CHECKPOINT), b.checkpointDir.resolve(BEST_CHECKPOINT),
                                StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                b.listener.accept(r);
            }
        } finally {
            master.deleteTempFiles(sc);
        }
        return new Result(net.getNetwork(), List.copyOf(history), bestEpoch, best);
    }

    private List<ClipRow> rows(int epoch) {
        List<VideoSample> order = new ArrayList<>(b.train.samples());
        Collections.shuffle(order, new Random(ClipDecodeFunction.mix(b.seed, epoch, -1)));
        List<ClipRow> rows = new ArrayList<>(order.size());
        for (int i = 0; i < order.size(); i++) {
            rows.add(ClipRow.of(order.get(i), i));
        }
        return rows;
    }

    private void writeAtomically(ComputationGraph graph, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        b.checkpointWriter.write(graph, tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Top-1 clip accuracy with the single centre-crop test clip, decoded on this JVM.
     *
     * @param graph the network
     * @param dataset labelled videos
     * @param spec input description
     * @param batchSize clips per forward pass
     * @return accuracy in [0, 1]
     */
    public static double accuracy(ComputationGraph graph, VideoDataset dataset, InputSpec spec, int batchSize) {
        int correct = 0;
        int total = 0;
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(dataset, spec).batchSize(batchSize)
                .training(false).build()) {
            while (it.hasNext()) {
                DataSet d = it.next();
                INDArray out = graph.outputSingle(false, d.getFeatures());
                INDArray predicted = out.argMax(1);
                INDArray truth = d.getLabels().argMax(1);
                for (int i = 0; i < truth.length(); i++) {
                    if (predicted.getLong(i) == truth.getLong(i)) {
                        correct++;
                    }
                    total++;
                }
            }
        }
        if (total == 0) {
            throw new IllegalArgumentException("validation set " + dataset.name() + " has no videos");
        }
        return correct / (double) total;
    }

    /** Builder; {@link #master} or {@link #sparkContext} chooses the cluster. */
    public static final class Builder {
        private final ComputationGraph graph;
        private final VideoDataset train;
        private final InputSpec spec;
        private String master = "local[2]";
        private JavaSparkContext context;
        private Approach approach = Approach.PARAMETER_AVERAGING;
        private int epochs = 1;
        private int batchSizePerWorker = DEFAULT_BATCH_SIZE_PER_WORKER;
        private int workers;
        private int averagingFrequency = DEFAULT_AVERAGING_FREQUENCY;
        private double threshold = DEFAULT_THRESHOLD;
        private int unicastPort = DEFAULT_UNICAST_PORT;
        private boolean flip = true;
        private long seed = 42;
        private VideoDataset validation;
        private int validationBatchSize = DEFAULT_BATCH_SIZE_PER_WORKER;
        private Path checkpointDir;
        private CheckpointWriter checkpointWriter = (g, f) -> ModelSerializer.writeModel(g, f.toFile(), true);
        private ClipSource source = ClipSource.DECODE;
        private Consumer<EpochResult> listener = r -> { };

        private Builder(ComputationGraph graph, VideoDataset train, InputSpec spec) {
            this.graph = Objects.requireNonNull(graph, "graph");
            this.train = Objects.requireNonNull(train, "train");
            this.spec = Objects.requireNonNull(spec, "spec");
        }

        /** @param v Spark master URL ({@code local[2]}, {@code local[2,3]} with task retries, {@code spark://host:7077}) */
        public Builder master(String v) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("Spark master must be a URL such as local[2] or spark://host:7077, found '"
                        + v + "'");
            }
            master = v;
            return this;
        }

        /** @param v an existing context (e.g. from spark-submit); not stopped by the trainer */
        public Builder sparkContext(JavaSparkContext v) {
            context = v;
            return this;
        }

        /** @param v how workers combine their updates */
        public Builder approach(Approach v) {
            approach = Objects.requireNonNull(v, "approach");
            return this;
        }

        /** @param v epochs, >= 1 */
        public Builder epochs(int v) {
            epochs = positive("epochs", v);
            return this;
        }

        /** @param v clips per worker minibatch, >= 1 */
        public Builder batchSizePerWorker(int v) {
            batchSizePerWorker = positive("batchSizePerWorker", v);
            return this;
        }

        /** @param v partitions (= concurrent training workers); 0 = the context's default parallelism */
        public Builder workers(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("SparkTrainer.workers must be >= 0 (0 = default parallelism), found "
                        + v);
            }
            workers = v;
            return this;
        }

        /** @param v minibatches between averagings (parameter averaging), >= 1 */
        public Builder averagingFrequency(int v) {
            averagingFrequency = positive("averagingFrequency", v);
            return this;
        }

        /** @param v initial encoding threshold (gradient sharing), > 0 */
        public Builder threshold(double v) {
            if (!(v > 0)) {
                throw new IllegalArgumentException("SparkTrainer.threshold must be > 0, found " + v);
            }
            threshold = v;
            return this;
        }

        /** @param v UDP port of the gradient-sharing mesh */
        public Builder unicastPort(int v) {
            unicastPort = positive("unicastPort", v);
            return this;
        }

        /** @param v allow horizontal flips (false for Something-Something, Jester and the temporal-order set) */
        public Builder flip(boolean v) {
            flip = v;
            return this;
        }

        /** @param v seed of shuffling and augmentation */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v labelled validation set, evaluated on the driver after every epoch */
        public Builder validation(VideoDataset v) {
            validation = v;
            return this;
        }

        /** @param v clips per validation forward pass */
        public Builder validationBatchSize(int v) {
            validationBatchSize = positive("validationBatchSize", v);
            return this;
        }

        /** @param v folder for {@value #LAST_CHECKPOINT} and {@value #BEST_CHECKPOINT} (null: none) */
        public Builder checkpointDir(Path v) {
            checkpointDir = v;
            return this;
        }

        /** @param v checkpoint format (default: DL4J ModelSerializer zip with updater) */
        public Builder checkpointWriter(CheckpointWriter v) {
            checkpointWriter = Objects.requireNonNull(v, "checkpointWriter");
            return this;
        }

        /** @param v how executors decode rows (tests inject failures here) */
        public Builder clipSource(ClipSource v) {
            source = Objects.requireNonNull(v, "clipSource");
            return this;
        }

        /** @param v called on the driver after every epoch */
        public Builder listener(Consumer<EpochResult> v) {
            listener = Objects.requireNonNull(v, "listener");
            return this;
        }

        /** @return the trainer */
        public SparkTrainer build() {
            if (train.size() == 0) {
                throw new IllegalArgumentException("training set " + train.name() + " has no videos");
            }
            if (validation != null && validation.numClasses() != train.numClasses()) {
                throw new IllegalArgumentException("validation set has " + validation.numClasses()
                        + " classes but the training set has " + train.numClasses());
            }
            return new SparkTrainer(this);
        }

        private static int positive(String name, int v) {
            if (v < 1) {
                throw new IllegalArgumentException("SparkTrainer." + name + " must be >= 1, found " + v);
            }
            return v;
        }
    }
}
