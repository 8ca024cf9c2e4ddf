package io.github.tsm4j.examples.spark;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.dataset.VideoSample;
import io.github.tsm4j.models.train.EpochFitter;
import io.github.tsm4j.models.train.TrainingProgress;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.repartitioner.NoOpRepartitioner;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the epochs of tsm-models' {@code Trainer} on Spark with DL4J's training masters: use it as
 * {@code Trainer.builder(model, recipe)...build().fit(fitter)}, so the recipe (parameter groups, learning-rate
 * schedule with warm-up, SGD momentum, weight decay), the per-epoch validation, the {@code last.zip}/{@code best.zip}
 * checkpoints, the JSON-lines log and {@code --resume} are exactly those of single-machine training; only the
 * minibatch loop of each epoch runs on the cluster.
 *
 * <p>Per epoch the driver shuffles the annotation rows (seed, epoch), sends them as a {@code JavaRDD<ClipRow>} in
 * {@code workers} partitions, executors decode and augment their own clips ({@link ClipDecodeFunction}: features
 * {@code [T, 3, crop, crop]} per clip, merged by DL4J's workers into {@code [B·T, 3, crop, crop]} / {@code [B, K]}
 * minibatches), and {@link SparkComputationGraph} trains; no decoded tensor is shipped (DL4J caches an
 * executor's clips in that executor for the epoch, {@code MEMORY_AND_DISK_SER}, then they are dropped). The
 * driver's network holds the result after every epoch.
 *
 * <p>The recipe's batch size is the <b>global</b> minibatch: each of the {@code workers} workers fits
 * {@code batchSize / workers} clips per step. With {@link Approach#PARAMETER_AVERAGING} (averaging parameters and
 * momentum buffers after every step) that is the single-machine SGD-momentum step on the global minibatch (SGD
 * with momentum and coupled weight decay are linear in the gradient), except that gradient clipping and BatchNorm
 * statistics act per worker minibatch. The recipe's global-norm clipping listener is attached to every worker's
 * network. Per-epoch training loss comes from the workers (Spark accumulators); training accuracy and the gradient
 * norm are not measured (NaN in the log).
 */
public final class SparkEpochFitter implements EpochFitter, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SparkEpochFitter.class);

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
        /**
         * {@code SharedTrainingMaster}: asynchronous sharing of threshold-encoded (sparse) updates; every worker
         * applies all workers' updates, so one round moves the parameters by up to {@code workers} steps.
         */
        SHARED_GRADIENTS,
        /** {@code ParameterAveragingTrainingMaster}: synchronous averaging of parameters and updater state. */
        PARAMETER_AVERAGING
    }

    private final Builder b;
    private JavaSparkContext sc;
    private boolean ownsContext;
    private int workers;
    private int batchSizePerWorker;
    private TrainingMaster<?, ?> master;
    private SparkComputationGraph net;
    private ComputationGraph bound;
    private DoubleAccumulator lossSum;
    private LongAccumulator lossCount;
    private LongAccumulator fusedSteps;
    private long lastFusedWorkerSteps;
    private double lastSeconds = Double.NaN;
    private long lastWorkerMinibatches;
    private ScheduleListener schedule;

    private SparkEpochFitter(Builder b) {
        this.b = b;
    }

    /**
     * @param train labelled training rows (paths readable from every executor)
     * @param spec the network's input description
     * @param batchSize global minibatch in clips (the recipe's batch size), a multiple of the workers
     * @return a builder
     */
    public static Builder builder(VideoDataset train, InputSpec spec, int batchSize) {
        return new Builder(train, spec, batchSize);
    }

    /** Sets the Aeron property on this JVM unless set (idempotent; called on driver and executors). */
    static void configureAeron() {
        if (System.getProperty(AERON_UNBLOCK_PROPERTY) == null) {
            System.setProperty(AERON_UNBLOCK_PROPERTY, AERON_UNBLOCK_NANOS);
        }
    }

    /** Creates the Spark context (unless given) and derives the workers; idempotent. */
    private void start() {
        if (sc != null) {
            return;
        }
        configureAeron();
        if (b.context == null) {
            ClusterConf.requireOpens();
        }
        if (b.context != null) {
            sc = b.context;
        } else {
            // keeps the user's executor options (spark.* system properties, spark-submit --conf) and adds the
            // Java 17 opens and the Aeron setting
            SparkConf conf = ClusterConf.prepare(new SparkConf().setAppName("tsm4j-train"),
                    AERON_UNBLOCK_PROPERTY + "=" + AERON_UNBLOCK_NANOS);
            if (b.master != null) {
                conf.setMaster(b.master);
            } else if (!conf.contains("spark.master")) {
                throw new IllegalArgumentException("SparkEpochFitter: no Spark master: set one (local[2], "
                        + "spark://host:7077) or run under spark-submit, which sets spark.master");
            }
            try {
                ClusterConf.requireReachable(conf.get("spark.master"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            sc = new JavaSparkContext(conf);
            ownsContext = true;
        }
        workers = b.workers > 0 ? b.workers : sc.defaultParallelism();
        if (b.batchSize % workers != 0) {
            close();
            throw new IllegalArgumentException("SparkEpochFitter: the global batch size " + b.batchSize
                    + " must be a multiple of the " + workers + " workers (each worker fits batchSize / workers clips "
                    + "per step)");
        }
        batchSizePerWorker = b.batchSize / workers;
        lossSum = sc.sc().doubleAccumulator("tsm4j training loss");
        lossCount = sc.sc().longAccumulator("tsm4j training minibatches");
        fusedSteps = sc.sc().longAccumulator("tsm4j fused updater steps");
    }

    /** @return concurrent workers (partitions); starts Spark if needed */
    public int workers() {
        start();
        return workers;
    }

    /** @return clips per worker minibatch; starts Spark if needed */
    public int batchSizePerWorker() {
        start();
        return batchSizePerWorker;
    }

    /** @return minibatches fitted by all workers in the last epoch (from the workers' accumulators) */
    public long lastWorkerMinibatches() {
        return lastWorkerMinibatches;
    }

    /**
     * @return worker minibatches of the last epoch whose update ran in one pass ({@link FusedUpdaterHook}; parameter
     *     averaging only: gradient sharing applies DL4J's updater inside its own training loop)
     */
    public long lastFusedWorkerSteps() {
        return lastFusedWorkerSteps;
    }

    /** @return wall time of the last epoch's distributed fit (decoding included), NaN before the first */
    public double lastSeconds() {
        return lastSeconds;
    }

    @Override
    public int iterationsPerEpoch() {
        start();
        int perWorker = (b.train.size() + workers - 1) / workers;
        return (perWorker + batchSizePerWorker - 1) / batchSizePerWorker;
    }

    private TrainingMaster<?, ?> master(TrainingListener clipping) {
        int t = b.spec.segments();
        TrainingMaster<?, ?> m = switch (b.approach) {
            case SHARED_GRADIENTS -> new SharedTrainingMaster.Builder(VoidConfiguration.builder()
                    .unicastPort(b.unicastPort)
                    .controllerAddress(sc.getConf().get("spark.driver.host", "127.0.0.1"))
                    .build(), batchSizePerWorker * t)
                    .updatesThreshold(b.threshold)
                    .batchSizePerWorker(batchSizePerWorker * t)
                    .workersPerNode(1)
                    .workerPrefetchNumBatches(0)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .repartitioner(new NoOpRepartitioner())
                    .repartitionData(Repartition.Never)
                    .storageLevel(StorageLevel.MEMORY_AND_DISK_SER())
                    .rngSeed(b.seed)
                    .build();
            case PARAMETER_AVERAGING -> new ParameterAveragingTrainingMaster.Builder(workers, t)
                    .batchSizePerWorker(batchSizePerWorker * t)
                    .averagingFrequency(b.averagingFrequency)
                    .workerPrefetchNumBatches(0)
                    .saveUpdater(true)
                    .trainingHooks(new FusedUpdaterHook(fusedSteps))
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .repartionData(Repartition.Never)
                    .storageLevel(StorageLevel.MEMORY_AND_DISK_SER())
                    .rngSeed(b.seed)
                    .build();
        };
        List<TrainingListener> listeners = new ArrayList<>();
        schedule = new ScheduleListener();
        listeners.add(schedule);
        listeners.add(clipping);
        listeners.add(new LossListener(lossSum, lossCount));
        m.setListeners(listeners);
        return m;
    }

    @Override
    public EpochStats fitEpoch(ComputationGraph graph, int epoch, TrainingListener clipping, TrainingProgress progress) {
        start();
        if (!(clipping instanceof Serializable)) {
            throw new IllegalArgumentException("SparkEpochFitter: the clipping listener " + clipping.getClass().getName()
                    + " must be Serializable to reach the workers");
        }
        if (net == null || bound != graph) {
            if (master != null) {
                master.deleteTempFiles(sc);
            }
            master = master(clipping);
            net = new SparkComputationGraph(sc, graph, master);
            bound = graph;
        }
        List<ClipRow> rows = rows(epoch);
        lossSum.reset();
        lossCount.reset();
        fusedSteps.reset();
        int iterationsBefore = graph.getIterationCount();
        int epochsBefore = graph.getEpochCount();
        // serialised with every averaging round's tasks: the workers' schedule position for this epoch
        schedule.epochCount = epochsBefore;
        schedule.iterationCount = iterationsBefore + iterationsPerEpoch() / 2;
        JavaRDD<DataSet> data = sc.parallelize(rows, workers).mapPartitions(
                new ClipDecodeFunction(b.spec, b.train.numClasses(), b.flip, b.seed, epoch, b.source,
                        b.approach == Approach.SHARED_GRADIENTS ? batchSizePerWorker : 1));
        long start = System.nanoTime();
        net.fit(data);
        lastSeconds = (System.nanoTime() - start) / 1e9;
        data.unpersist(false);
        ComputationGraph trained = net.getNetwork();
        if (trained != graph) {
            graph.setParams(trained.params());
            graph.getUpdater().getStateViewArray().assign(trained.getUpdater().getStateViewArray());
            graph.getConfiguration().setIterationCount(trained.getIterationCount());
        }
        // DL4J's masters count an epoch per fit(); the Trainer counts epochs (the schedule depends on it)
        graph.getConfiguration().setEpochCount(epochsBefore);
        int batches = iterationsPerEpoch();
        if (graph.getIterationCount() == iterationsBefore) {
            // gradient sharing does not advance the driver's counter; the schedule (warm-up) needs it
            graph.getConfiguration().setIterationCount(iterationsBefore + batches);
        }
        lastWorkerMinibatches = lossCount.value();
        lastFusedWorkerSteps = fusedSteps.value();
        double loss = lossCount.value() > 0 ? lossSum.value() / lossCount.value() : net.getScore();
        LOG.info("epoch {}: {} clips in {} s on {} workers x {} clips ({}), loss {} from {} worker minibatches", epoch,
                rows.size(), String.format("%.1f", lastSeconds), workers, batchSizePerWorker, b.approach,
                String.format("%.4f", loss), lossCount.value());
        progress.batchDone(epoch, batches, loss, Double.NaN, rows.size() / lastSeconds);
        return new EpochStats(loss, Double.NaN, rows.size(), batches, Double.NaN);
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

    /** Deletes DL4J's temporary files and stops the Spark context if this fitter created it. */
    @Override
    public void close() {
        if (master != null && sc != null) {
            master.deleteTempFiles(sc);
            master = null;
        }
        if (ownsContext && sc != null) {
            sc.close();
        }
        sc = null;
        net = null;
        bound = null;
    }

    /**
     * Runs on the workers, before the updater: puts the driver's schedule position (epoch count, and an iteration
     * in the middle of the epoch) into the worker's network. DL4J's workers rebuild their network from a
     * {@code ComputationGraphConfiguration.clone()}, which drops both counters, so without this every averaging
     * round would train at the schedule's value for iteration 0 of epoch 0 (no decay, warm-up stuck at its first
     * step). The learning rate is therefore the recipe's per epoch; warm-up advances per epoch, not per iteration.
     */
    static final class ScheduleListener extends BaseTrainingListener implements Serializable {
        private static final long serialVersionUID = 1L;
        int epochCount;
        int iterationCount;

        @Override
        public void onGradientCalculation(Model model) {
            if (model instanceof ComputationGraph g) {
                g.getConfiguration().setEpochCount(epochCount);
                g.getConfiguration().setIterationCount(iterationCount);
            }
        }
    }

    /**
     * Runs on the workers: adds every minibatch's data loss (score minus the weight-decay penalty of the parameters
     * the step started from, as single-machine training reports it) to Spark accumulators read by the driver.
     */
    static final class LossListener extends BaseTrainingListener implements Serializable {
        private static final long serialVersionUID = 1L;
        private final DoubleAccumulator sum;
        private final LongAccumulator count;
        /** The penalty DL4J added to this step's score: taken once the gradient exists, before the update. */
        private transient double penalty;

        LossListener(DoubleAccumulator sum, LongAccumulator count) {
            this.sum = sum;
            this.count = count;
        }

        @Override
        public void onGradientCalculation(Model model) {
            penalty = model instanceof ComputationGraph g ? g.calcRegularizationScore(true) : 0;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            sum.add(model.score() - penalty);
            count.add(1);
        }
    }

    /** Builder; {@link #master} or {@link #sparkContext} chooses the cluster (default: spark-submit's). */
    public static final class Builder {
        private final VideoDataset train;
        private final InputSpec spec;
        private final int batchSize;
        private String master;
        private JavaSparkContext context;
        private Approach approach = Approach.PARAMETER_AVERAGING;
        private int workers;
        private int averagingFrequency = DEFAULT_AVERAGING_FREQUENCY;
        private double threshold = DEFAULT_THRESHOLD;
        private int unicastPort = DEFAULT_UNICAST_PORT;
        private boolean flip;
        private long seed = 42;
        private ClipSource source = ClipSource.DECODE;

        private Builder(VideoDataset train, InputSpec spec, int batchSize) {
            this.train = Objects.requireNonNull(train, "train");
            this.spec = Objects.requireNonNull(spec, "spec");
            this.batchSize = positive("batchSize", batchSize);
        }

        /**
         * @param v Spark master URL ({@code local[2]}, {@code local[2,3]} with task retries, {@code spark://host:7077});
         *     null: spark-submit's {@code spark.master}
         * @return this
         */
        public Builder master(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("Spark master must be a URL such as local[2] or spark://host:7077, "
                        + "found '" + v + "'");
            }
            master = v;
            return this;
        }

        /** @param v an existing context (e.g. from spark-submit); not stopped by {@link #close()} @return this */
        public Builder sparkContext(JavaSparkContext v) {
            context = v;
            return this;
        }

        /** @param v how workers combine their updates @return this */
        public Builder approach(Approach v) {
            approach = Objects.requireNonNull(v, "approach");
            return this;
        }

        /** @param v partitions (= concurrent training workers); 0 = the context's default parallelism @return this */
        public Builder workers(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("SparkEpochFitter.workers must be >= 0 (0 = default parallelism), "
                        + "found " + v);
            }
            workers = v;
            return this;
        }

        /** @param v minibatches between averagings (parameter averaging), >= 1 @return this */
        public Builder averagingFrequency(int v) {
            averagingFrequency = positive("averagingFrequency", v);
            return this;
        }

        /** @param v initial encoding threshold (gradient sharing), > 0 @return this */
        public Builder threshold(double v) {
            if (!(v > 0)) {
                throw new IllegalArgumentException("SparkEpochFitter.threshold must be > 0, found " + v);
            }
            threshold = v;
            return this;
        }

        /** @param v UDP port of the gradient-sharing mesh @return this */
        public Builder unicastPort(int v) {
            unicastPort = positive("unicastPort", v);
            return this;
        }

        /** @param v random horizontal flips (default off, as single-machine training) @return this */
        public Builder flip(boolean v) {
            flip = v;
            return this;
        }

        /** @param v seed of shuffling and augmentation (the recipe's seed) @return this */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v how executors decode rows (tests inject failures here) @return this */
        public Builder clipSource(ClipSource v) {
            source = Objects.requireNonNull(v, "clipSource");
            return this;
        }

        /** @return the fitter (Spark starts at the first epoch) */
        public SparkEpochFitter build() {
            if (train.size() == 0) {
                throw new IllegalArgumentException("training set " + train.name() + " has no videos");
            }
            return new SparkEpochFitter(this);
        }

        private static int positive(String name, int v) {
            if (v < 1) {
                throw new IllegalArgumentException("SparkEpochFitter." + name + " must be >= 1, found " + v);
            }
            return v;
        }
    }
}
