package io.github.tsm4j.models.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.models.TsmModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link TsmModel} with a {@link TrainingRecipe}, epoch by epoch, over a DL4J {@link DataSetIterator}
 * (features {@code [N·T, 3, H, W]}, one-hot labels {@code [N, K]}), and returns the trained {@link TsmModel}.
 *
 * <p>After every epoch it optionally evaluates on validation data ({@link Evaluator}, top-1/top-5),
 * writes {@code last.zip} (and {@code best.zip} when the validation top-1 improves) atomically into
 * the checkpoint folder — a {@link TrainingCheckpoint}: the model zip of {@link TsmModel#save} (configuration,
 * labels, provenance with epoch and recipe) plus momentum buffers, iteration/epoch counters, recipe and best
 * score, so {@link TsmModel#load} opens every checkpoint — and appends one JSON line to
 * {@code training.jsonl} ({@link EpochRecord}). {@link #resume(Path)} continues from a checkpoint with
 * identical optimizer state; the random generator (dropout) is re-seeded from the recipe's seed at the
 * start of every epoch, so an interrupted and resumed run follows the same path as an uninterrupted
 * one provided the iterator yields the same minibatches for the same epoch.
 *
 * <pre>{@code
 * TrainingRecipe recipe = TrainingRecipe.builder().epochs(25).batchSize(8).lrSteps(List.of(10, 20)).build();
 * TrainingResult r = Trainer.builder(model, recipe).checkpointDir(dir).validation(val).build().fit(train);
 * TsmModel trained = r.model();
 * }</pre>
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Checkpoint after the latest epoch. */
    public static final String LAST_CHECKPOINT = "last.zip";
    /** Checkpoint with the best validation top-1 (or lowest training loss without validation). */
    public static final String BEST_CHECKPOINT = "best.zip";
    /** The JSON-lines training log. */
    public static final String LOG_FILE = "training.jsonl";

    private final TsmModel source;
    private final boolean configured;
    private final TrainingRecipe recipe;
    private final int epochsDone;
    private final double bestScore;
    private final int bestEpoch;
    private final Path checkpointDir;
    private final DataSetIterator validation;
    private final TrainingProgress progress;
    private final int iterationsPerEpoch;
    private final java.util.function.IntConsumer beforeEpoch;
    private final ExecutionOptions options;

    private Trainer(Builder b) {
        this.source = b.model;
        this.configured = b.configured;
        this.recipe = b.recipe;
        this.epochsDone = b.epochsDone;
        this.bestScore = b.bestScore;
        this.bestEpoch = b.bestEpoch;
        this.checkpointDir = b.checkpointDir;
        this.validation = b.validation;
        this.progress = b.progress;
        this.iterationsPerEpoch = b.iterationsPerEpoch;
        this.beforeEpoch = b.beforeEpoch;
        this.options = b.options;
    }

    /**
     * Starts a fresh training run. The network is copied and reconfigured with the recipe's parameter
     * groups ({@link ParameterGroups#configure}); {@code model} itself is not changed. Its configuration, labels,
     * source and execution options go into every checkpoint and into the returned model.
     *
     * @param model model with initialised (random or pretrained) parameters (not an inference form)
     * @param recipe training recipe
     * @return a builder
     */
    public static Builder builder(TsmModel model, TrainingRecipe recipe) {
        Objects.requireNonNull(model, "model");
        if (model.isInferenceOnly()) {
            throw new IllegalArgumentException("Trainer: the model is an inference form (forInference(): BatchNorm "
                    + "folded away) and cannot be trained; train the model it was made from");
        }
        return new Builder(Objects.requireNonNull(model, "model"), Objects.requireNonNull(recipe, "recipe"), false,
                0, Double.NEGATIVE_INFINITY, 0);
    }

    /**
     * Continues a run from a checkpoint written by a trainer: same model (configuration, labels, source,
     * options), momentum buffers, counters and recipe; training starts at the epoch after the saved one. The
     * checkpoint folder
     * defaults to the checkpoint's own folder.
     *
     * @param checkpoint a {@code last.zip} (or any checkpoint) file
     * @return a builder
     * @throws IOException when the checkpoint cannot be read
     */
    public static Builder resume(Path checkpoint) throws IOException {
        TrainingCheckpoint cp = TrainingCheckpoint.read(checkpoint);
        Builder b = new Builder(cp.model(), cp.recipe(), true, cp.epochsDone(), cp.bestScore(), cp.bestEpoch());
        b.options = cp.model().options();
        b.checkpointDir = checkpoint.toAbsolutePath().getParent();
        LOG.info("Resuming from {} after epoch {} of {}", checkpoint, cp.epochsDone(), cp.recipe().epochs());
        return b;
    }

    /** Options of a {@link Trainer}. */
    public static final class Builder {
        private final TsmModel model;
        private final TrainingRecipe recipe;
        private final boolean configured;
        private final int epochsDone;
        private final double bestScore;
        private final int bestEpoch;
        private Path checkpointDir;
        private DataSetIterator validation;
        private TrainingProgress progress = TrainingProgress.NONE;
        private int iterationsPerEpoch;
        private java.util.function.IntConsumer beforeEpoch = e -> { };
        private ExecutionOptions options;

        private Builder(TsmModel model, TrainingRecipe recipe, boolean configured, int epochsDone,
                double bestScore, int bestEpoch) {
            this.model = model;
            this.recipe = recipe;
            this.configured = configured;
            this.epochsDone = epochsDone;
            this.bestScore = bestScore;
            this.bestEpoch = bestEpoch;
            this.options = model.options();
        }

        /** @return the model training starts from (for a resume: the checkpoint's) */
        public TsmModel model() {
            return model;
        }

        /** @return the recipe (for a resume: the checkpoint's) */
        public TrainingRecipe recipe() {
            return recipe;
        }

        /** @param dir folder for {@code last.zip}, {@code best.zip} and {@code training.jsonl}; null for none */
        public Builder checkpointDir(Path dir) { this.checkpointDir = dir; return this; }
        /** @param iterator validation data (one view per video), evaluated after each epoch; null for none */
        public Builder validation(DataSetIterator iterator) { this.validation = iterator; return this; }
        /** @param p progress callback */
        public Builder progress(TrainingProgress p) { this.progress = Objects.requireNonNull(p, "progress"); return this; }
        /**
         * @param n minibatches per epoch; needed only with warm-up (otherwise counted with one pass over
         *     the training data when warm-up is on)
         */
        public Builder iterationsPerEpoch(int n) { this.iterationsPerEpoch = n; return this; }

        /**
         * @param hook called with the 0-based epoch index before the training iterator is reset for that
         *     epoch (e.g. {@code e -> clipIterator.setEpoch(e)}, so a resumed run sees the same shuffle and
         *     augmentation as an uninterrupted one)
         */
        public Builder beforeEpoch(java.util.function.IntConsumer hook) {
            this.beforeEpoch = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * @param o execution options of the run: its native memory budget ({@link NativeMemoryBudget#of}) bounds
         *     training and validation (default: the model's {@link TsmModel#options()}). The layer implementations
         *     and shift kernel are fixed when the model's network is built
         *     ({@code TsmModel.create(config, labels, globals, options)})
         * @return this
         */
        public Builder options(ExecutionOptions o) {
            this.options = Objects.requireNonNull(o, "options");
            return this;
        }

        /** @return the trainer */
        public Trainer build() {
            return new Trainer(this);
        }
    }

    /**
     * The outcome of {@link #fit}.
     *
     * @param model the trained model (the last epoch's parameters; the configuration, labels, source and options
     *     of the model trained)
     * @param history one record per epoch, including those before a resume (from the log)
     * @param bestScore best validation top-1 (or negative training loss)
     * @param bestEpoch epoch of the best score
     * @param lastValidation evaluation of the last epoch, or null without validation data
     */
    public record TrainingResult(TsmModel model, List<EpochRecord> history, double bestScore, int bestEpoch,
            EvaluationResult lastValidation) {}

    /**
     * Trains until the recipe's last epoch on this JVM.
     *
     * @param train training data; reset at the start of every epoch
     * @return the trained network and its history
     * @throws IOException when a checkpoint or the log cannot be written
     */
    public TrainingResult fit(DataSetIterator train) throws IOException {
        return fit(new IteratorFitter(Objects.requireNonNull(train, "train"), epochsDone, newBudget()));
    }

    /**
     * Trains until the recipe's last epoch, each epoch's minibatches fitted by {@code fitter} (e.g. on a
     * cluster); configuration, seeds, validation, checkpoints, log and resume are the same as
     * {@link #fit(DataSetIterator)}'s.
     *
     * @param fitter runs one epoch's minibatches
     * @return the trained network and its history
     * @throws IOException when a checkpoint or the log cannot be written, or the fitter cannot read its data
     */
    public TrainingResult fit(EpochFitter fitter) throws IOException {
        Objects.requireNonNull(fitter, "fitter");
        int ipe = iterationsPerEpoch;
        if (ipe < 1) {
            ipe = recipe.warmupEpochs() > 0 ? fitter.iterationsPerEpoch() : 1;
            if (ipe < 1) {
                throw new IllegalArgumentException("Trainer: the recipe has " + recipe.warmupEpochs()
                        + " warm-up epoch(s), which need the minibatches per epoch, but the fitter reports "
                        + ipe + "; set Builder.iterationsPerEpoch");
            }
        }
        ComputationGraph graph = configured ? source.graph() : ParameterGroups.configure(source.graph(), recipe, ipe);
        FusedGraphUpdater.install(graph);
        TsmModel model = source.withGraph(graph);
        GlobalNormClipping clipping = new GlobalNormClipping(recipe.clipGradientNorm());

        List<EpochRecord> history = new ArrayList<>(checkpointDir == null ? List.of() : readLog(checkpointDir, epochsDone));
        double best = bestScore;
        int bestAt = bestEpoch;
        EvaluationResult lastVal = null;
        LearningRateSchedule baseSchedule = recipe.schedule(1, ipe);
        NativeMemoryBudget evalBudget = newBudget();
        for (int epoch = epochsDone + 1; epoch <= recipe.epochs(); epoch++) {
            long start = System.nanoTime();
            progress.epochStarted(epoch, recipe.epochs());
            Nd4j.getRandom().setSeed(recipe.seed() * 1_000_003L + epoch);
            beforeEpoch.accept(epoch - 1);
            EpochFitter.EpochStats stats = fitter.fitEpoch(graph, epoch, clipping, progress);
            // the rate of the epoch's last minibatch (multiplier-1 group)
            double lr = baseSchedule.valueAt(Math.max(0, graph.getIterationCount() - 1), graph.getEpochCount());
            if (!Double.isFinite(stats.loss())) {
                throw new IllegalStateException("Trainer: training loss became " + stats.loss() + " in epoch " + epoch
                        + " (learning rate " + lr + "): lower the learning rate");
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            graph.incrementEpochCount();
            Double top1 = null;
            Double top5 = null;
            double score = -stats.loss();
            if (validation != null) {
                lastVal = Evaluator.evaluate(graph, validation, 1, model.labels(), evalBudget);
                top1 = lastVal.top1();
                top5 = lastVal.top5();
                score = top1;
            }
            boolean improved = score > best;
            if (improved) {
                best = score;
                bestAt = epoch;
            }
            if (checkpointDir != null) {
                Path last = checkpointDir.resolve(LAST_CHECKPOINT);
                new TrainingCheckpoint(model, recipe, epoch, best, bestAt).write(last);
                if (improved) {
                    Path tmp = Files.createTempFile(checkpointDir, BEST_CHECKPOINT, ".tmp");
                    Files.copy(last, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, checkpointDir.resolve(BEST_CHECKPOINT), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
            EpochRecord record = new EpochRecord(epoch, lr, stats.loss(), stats.trainAccuracy(), top1, top5,
                    stats.clips() / trainSeconds, (System.nanoTime() - start) / 1e9, stats.gradientNorm());
            history.add(record);
            if (checkpointDir != null) {
                Files.writeString(checkpointDir.resolve(LOG_FILE), JSON.writeValueAsString(record) + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            LOG.info("epoch {}/{}: loss {} train acc {} val top1 {} ({} clips/s, {} s)", epoch, recipe.epochs(),
                    String.format("%.4f", record.loss()), String.format("%.3f", record.trainAccuracy()), top1,
                    String.format("%.1f", record.clipsPerSecond()), String.format("%.1f", record.seconds()));
            progress.epochDone(record);
        }
        graph.setListeners();
        TrainingWorkspaces.release();
        return new TrainingResult(model, List.copyOf(history), best, bestAt, lastVal);
    }

    private NativeMemoryBudget newBudget() {
        return NativeMemoryBudget.of(options);
    }

    /**
     * The single-machine epoch: every minibatch of a (reset) iterator through {@code graph.fit}, with the
     * native memory of the arrays that DL4J leaves to the garbage collector bounded by a {@link NativeMemoryBudget}
     * and the activation workspace sized before the run's first minibatch ({@link TrainingWorkspaces}).
     */
    private static final class IteratorFitter implements EpochFitter {
        private final DataSetIterator train;
        private final int firstEpoch;
        private final NativeMemoryBudget budget;
        private boolean presized;

        IteratorFitter(DataSetIterator train, int epochsDone, NativeMemoryBudget budget) {
            this.train = train;
            this.firstEpoch = epochsDone + 1;
            this.budget = budget;
        }

        @Override
        public int iterationsPerEpoch() {
            return countBatches(train);
        }

        @Override
        public EpochStats fitEpoch(ComputationGraph graph, int epoch, TrainingListener clipping,
                TrainingProgress progress) {
            long start = System.nanoTime();
            BatchAccuracy accuracy = new BatchAccuracy(graph);
            graph.setListeners(clipping, accuracy);
            if (train.resetSupported()) {
                train.reset();
            } else if (epoch > firstEpoch) {
                throw new IllegalArgumentException("Trainer: the training iterator does not support reset(), "
                        + "so it cannot run more than one epoch");
            }
            double lossSum = 0;
            long correct = 0;
            long clips = 0;
            int batches = 0;
            while (train.hasNext()) {
                DataSet ds = train.next();
                accuracy.labels = ds.getLabels();
                if (!presized && ds.getFeatures().rank() == 4) {
                    TrainingWorkspaces.presize(graph, ds.getFeatures());
                    presized = true;
                }
                // DL4J's score includes the penalty of the parameters the step starts from; report the data loss,
                // as PyTorch does (the penalty after the update differs by the step's change)
                double penalty = graph.calcRegularizationScore(true);
                graph.fit(ds);
                double loss = graph.score() - penalty;
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("Trainer: training loss became " + loss + " at epoch " + epoch
                            + ", minibatch " + (batches + 1) + ": lower the learning rate");
                }
                lossSum += loss;
                correct += accuracy.correct;
                clips += ds.getLabels().size(0);
                batches++;
                budget.afterStep();
                double seconds = (System.nanoTime() - start) / 1e9;
                progress.batchDone(epoch, batches, lossSum / batches, correct / (double) clips, clips / seconds);
            }
            if (batches == 0) {
                throw new IllegalArgumentException("Trainer: the training iterator delivered no minibatch in epoch " + epoch);
            }
            double norm = clipping instanceof GlobalNormClipping g ? g.lastNorm() : Double.NaN;
            return new EpochStats(lossSum / batches, correct / (double) clips, clips, batches, norm);
        }
    }

    private static int countBatches(DataSetIterator train) {
        train.reset();
        int n = 0;
        while (train.hasNext()) {
            train.next();
            n++;
        }
        return n;
    }

    /**
     * Reads a training log, keeping the epochs up to {@code upTo} (a resumed run rewrites the rest), and
     * rewrites the file with those lines.
     *
     * @param dir checkpoint folder
     * @param upTo last epoch to keep
     * @return the kept records
     * @throws IOException when the log is unreadable
     */
    static List<EpochRecord> readLog(Path dir, int upTo) throws IOException {
        Path file = dir.resolve(LOG_FILE);
        List<EpochRecord> kept = new ArrayList<>();
        if (!Files.exists(file)) {
            return kept;
        }
        StringBuilder text = new StringBuilder();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            EpochRecord r;
            try {
                r = JSON.readValue(line, EpochRecord.class);
            } catch (IOException e) {
                throw new IOException("Bad training log " + file + " line " + lineNo + ": " + e.getMessage(), e);
            }
            if (r.epoch() <= upTo) {
                kept.add(r);
                text.append(line).append('\n');
            }
        }
        Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
        return kept;
    }

    /**
     * Reads every record of a training log.
     *
     * @param file a {@code training.jsonl}
     * @return the records in file order
     * @throws IOException when the file is unreadable or a line is not a record
     */
    public static List<EpochRecord> readLog(Path file) throws IOException {
        List<EpochRecord> records = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (!line.isBlank()) {
                try {
                    records.add(JSON.readValue(line, EpochRecord.class));
                } catch (IOException e) {
                    throw new IOException("Bad training log " + file + " line " + lineNo + ": " + e.getMessage(), e);
                }
            }
        }
        return records;
    }

    /**
     * Counts correct top-1 predictions of each training minibatch from the forward pass DL4J already
     * runs (no extra inference): the output layer is a loss layer, so the arg-max of its input is the
     * prediction. Reports -1 when the network's output layer has its own parameters.
     */
    private static final class BatchAccuracy extends BaseTrainingListener {
        private final String logitsVertex;
        INDArray labels;
        long correct;

        BatchAccuracy(ComputationGraph graph) {
            String out = graph.getConfiguration().getNetworkOutputs().get(0);
            boolean lossLayer = graph.getConfiguration().getVertices().get(out) instanceof LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof LossLayer;
            this.logitsVertex = lossLayer ? graph.getConfiguration().getVertexInputs().get(out).get(0) : null;
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            correct = 0;
            INDArray logits = logitsVertex == null ? null : activations.get(logitsVertex);
            if (logits == null || labels == null || logits.rank() != 2 || logits.size(0) != labels.size(0)) {
                return;
            }
            // four small arrays per step, outside workspaces: free them at once
            INDArray predicted = logits.argMax(1);
            INDArray truth = labels.argMax(1);
            INDArray hits = predicted.eq(truth);
            INDArray asInt = hits.castTo(DataType.INT);
            correct = asInt.sumNumber().longValue();
            for (INDArray a : new INDArray[] {predicted, truth, hits, asInt}) {
                a.close();
            }
        }
    }
}
