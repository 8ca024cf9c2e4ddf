package io.github.tsm4j.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.models.Provenance;
import io.github.tsm4j.models.TsmModel;
import java.util.Optional;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

class TrainerTest {
    private static final List<DataSet> TRAIN = TinyNets.squares(48, 4, 1);
    private static final List<DataSet> VAL = TinyNets.squares(16, 4, 2);

    private static TrainingRecipe recipe(int epochs) {
        return TrainingRecipe.builder().epochs(epochs).batchSize(8).learningRate(0.05).referenceBatchSize(8)
                .lrSteps(List.of(1)).weightDecay(5e-4).seed(7).build();
    }

    /**
     * The loss reported per minibatch is the data loss of the parameters the step started from — DL4J's score minus
     * the penalty of those parameters, not of the updated ones: the first minibatch of two runs that differ only in
     * the weight decay reports the same loss (same parameters, same data), although the decayed run's penalty
     * changes by far more than the tolerance during that step.
     */
    @Test
    void theReportedLossIsTheDataLossOfTheParametersTheStepStartedFrom() throws Exception {
        double[] first = new double[2];
        double[] penalty = new double[2];
        double[] decay = {0, 0.05};
        for (int run = 0; run < 2; run++) {
            int r = run;
            TrainingRecipe recipe = TrainingRecipe.builder().epochs(1).batchSize(8).learningRate(1.0)
                    .referenceBatchSize(8).weightDecay(decay[run]).seed(7).build();
            ComputationGraph trained = Trainer.builder(TinyNets.model(4, 3), recipe).progress(new TrainingProgress() {
                @Override
                public void batchDone(int epoch, int batch, double loss, double accuracy, double clipsPerSecond) {
                    if (batch == 1) {
                        first[r] = loss;
                    }
                }
            }).build().fit(TinyNets.iterator(TRAIN, 8)).model().graph();
            penalty[run] = trained.calcRegularizationScore(true);
        }
        assertEquals(0, penalty[0]);
        assertTrue(penalty[1] > 0.05, "the decayed run's penalty is large: " + penalty[1]);
        assertEquals(first[0], first[1], 1e-9 * first[0], "first minibatch's data loss, without and with decay");
    }

    @Test
    void twoEpochsLowerTheLossAndWriteLoadableCheckpointsAndLog(@TempDir Path dir) throws Exception {
        TsmModel net = TinyNets.model(4, 3).withSource(Map.of("dataset", "squares"));
        Trainer.TrainingResult r = Trainer.builder(net, recipe(2)).checkpointDir(dir)
                .validation(TinyNets.iterator(VAL, 8)).build().fit(TinyNets.iterator(TRAIN, 8));
        assertEquals(2, r.history().size());
        assertTrue(r.history().get(1).loss() < r.history().get(0).loss(),
                "loss should fall: " + r.history());
        assertEquals(0.05, r.history().get(0).learningRate(), 1e-12);
        assertEquals(0.005, r.history().get(1).learningRate(), 1e-12);
        assertEquals(Evaluator.evaluate(r.model().graph(), TinyNets.iterator(VAL, 8), 1, null).top1(), r.history().get(1).valTop1(),
                1e-12, "the logged validation top-1 is the evaluator's on the final model");
        for (EpochRecord e : r.history()) {
            double correct = e.trainAccuracy() * TRAIN.size();
            assertEquals(Math.rint(correct), correct, 1e-9, "training accuracy is a count of the 48 clips: " + e);
        }

        ComputationGraph loaded = ModelSerializer.restoreComputationGraph(dir.resolve(Trainer.LAST_CHECKPOINT).toFile(), true);
        assertEquals(r.model().graph().params(), loaded.params());
        assertEquals(2, loaded.getEpochCount());
        assertEquals(12, loaded.getIterationCount());
        TrainingCheckpoint cp = TrainingCheckpoint.read(dir.resolve(Trainer.LAST_CHECKPOINT));
        assertEquals(2, cp.epochsDone());
        assertEquals(recipe(2), cp.recipe());
        assertEquals(List.of("a", "b", "c", "d"), cp.model().labels());
        assertEquals(List.of("a", "b", "c", "d"), r.model().labels());
        assertEquals(net.config(), r.model().config());
        assertEquals(Map.of("dataset", "squares"), r.model().source(), "the trained model keeps the model's source");
        // every checkpoint is a model TsmModel.load opens, with the trained weights
        TsmModel model = TsmModel.load(dir.resolve(Trainer.LAST_CHECKPOINT));
        assertEquals(r.model().graph().params(), model.graph().params());
        assertEquals(List.of("a", "b", "c", "d"), model.labels());
        assertEquals(Optional.of(ExecutionOptions.defaults()), model.provenance().map(Provenance::execution));
        assertTrue(Files.exists(dir.resolve(Trainer.BEST_CHECKPOINT)));
        assertEquals(r.history(), Trainer.readLog(dir.resolve(Trainer.LOG_FILE)));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("best.zip", "last.zip", "training.jsonl"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left");
        }
    }

    @Test
    void everyCheckpointRecordsItsEpochAndRecipeInTheProvenance(@TempDir Path dir) throws Exception {
        Map<String, Object> dataset = Map.of("dataset", "squares");
        ExecutionOptions options = ExecutionOptions.builder().nativeGcBudgetMB(64).build();
        Trainer.builder(TinyNets.model(4, 3).withSource(dataset), recipe(2)).checkpointDir(dir).options(options)
                .build().fit(TinyNets.iterator(TRAIN, 8));
        Provenance p = TrainingCheckpoint.read(dir.resolve(Trainer.LAST_CHECKPOINT)).model().provenance().orElseThrow();
        assertEquals(List.of("dataset", "epoch", "epochs", "recipe"), List.copyOf(p.source().keySet()));
        assertEquals("squares", p.source().get("dataset"));
        assertEquals(2, p.source().get("epoch"));
        assertEquals(2, p.source().get("epochs"));
        assertEquals(recipe(2), new ObjectMapper().convertValue(p.source().get("recipe"), TrainingRecipe.class));
        assertEquals(Provenance.libraryVersion(), p.tsm4jVersion());
        assertEquals(ExecutionOptions.defaults(), p.execution(), "the options the model was built with");
        // the best checkpoint is the one after epoch 1 or 2, and says which
        Provenance best = TsmModel.load(dir.resolve(Trainer.BEST_CHECKPOINT)).provenance().orElseThrow();
        assertEquals(TrainingCheckpoint.read(dir.resolve(Trainer.BEST_CHECKPOINT)).epochsDone(), best.source().get("epoch"));
    }

    @Test
    void resumeContinuesWithIdenticalOptimizerStateAndParameters(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Path split = dir.resolve("split");
        ComputationGraph a = Trainer.builder(TinyNets.model(4, 3), recipe(3)).checkpointDir(straight).build()
                .fit(TinyNets.iterator(TRAIN, 8)).model().graph();

        // the same run, interrupted after epoch 1: a recipe of 3 epochs stopped by a kill after the checkpoint
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> Trainer
                .builder(TinyNets.model(4, 3), recipe(3)).checkpointDir(split)
                .progress(new TrainingProgress() {
                    @Override
                    public void epochDone(EpochRecord record) {
                        throw new IllegalStateException("killed");
                    }
                })
                .build().fit(TinyNets.iterator(TRAIN, 8)));
        assertEquals(1, TrainingCheckpoint.read(split.resolve(Trainer.LAST_CHECKPOINT)).epochsDone());
        Trainer.TrainingResult b = Trainer.resume(split.resolve(Trainer.LAST_CHECKPOINT)).build()
                .fit(TinyNets.iterator(TRAIN, 8));

        assertEquals(a.params(), b.model().graph().params(), "parameters after 3 epochs, straight vs 1 + resume + 2");
        assertEquals(a.getUpdater().getStateViewArray(), b.model().graph().getUpdater().getStateViewArray(),
                "momentum buffers");
        assertEquals(3, b.history().size());
        assertEquals(Trainer.readLog(straight.resolve(Trainer.LOG_FILE)).stream().map(EpochRecord::loss).toList(),
                b.history().stream().map(EpochRecord::loss).toList());
    }

    /**
     * A fitter standing in for a distributed one: fits the iterator itself (with the trainer's clipping
     * listener) and reports no training accuracy and no gradient norm.
     */
    private static final class SelfFitter implements EpochFitter {
        final InMemoryIterator data = TinyNets.iterator(TRAIN, 8);
        final List<Integer> epochs = new java.util.ArrayList<>();
        final List<Integer> epochCounts = new java.util.ArrayList<>();
        final List<Object> listeners = new java.util.ArrayList<>();

        @Override
        public EpochStats fitEpoch(ComputationGraph graph, int epoch, org.deeplearning4j.optimize.api.TrainingListener clipping,
                TrainingProgress progress) {
            epochs.add(epoch);
            epochCounts.add(graph.getEpochCount());
            listeners.add(clipping);
            graph.setListeners(clipping);
            data.reset();
            double loss = 0;
            int batches = 0;
            while (data.hasNext()) {
                double penalty = graph.calcRegularizationScore(true);
                graph.fit(data.next());
                loss += graph.score() - penalty;
                batches++;
            }
            return new EpochStats(loss / batches, Double.NaN, TRAIN.size(), batches, Double.NaN);
        }

        @Override
        public int iterationsPerEpoch() {
            return 6;
        }
    }

    @Test
    void anEpochFitterTrainsExactlyAsTheIteratorLoopAndSharesCheckpointsLogAndResume(@TempDir Path dir) throws Exception {
        ComputationGraph reference = Trainer.builder(TinyNets.model(4, 3), recipe(3)).build()
                .fit(TinyNets.iterator(TRAIN, 8)).model().graph();

        Path out = dir.resolve("fitter");
        SelfFitter first = new SelfFitter();
        TrainingRecipe twoOfThree = recipe(3);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> Trainer
                .builder(TinyNets.model(4, 3), twoOfThree).checkpointDir(out).validation(TinyNets.iterator(VAL, 8))
                .progress(new TrainingProgress() {
                    @Override
                    public void epochDone(EpochRecord record) {
                        if (record.epoch() == 2) {
                            throw new IllegalStateException("killed");
                        }
                    }
                })
                .build().fit(first));
        assertEquals(List.of(1, 2), first.epochs);
        assertEquals(List.of(0, 1), first.epochCounts, "the trainer increments the epoch count after each epoch");
        assertTrue(first.listeners.get(0) instanceof GlobalNormClipping && first.listeners.get(0) instanceof java.io.Serializable,
                "the recipe's clipping is handed to the fitter as a serialisable listener");

        SelfFitter second = new SelfFitter();
        Trainer.TrainingResult r = Trainer.resume(out.resolve(Trainer.LAST_CHECKPOINT)).validation(TinyNets.iterator(VAL, 8))
                .build().fit(second);
        assertEquals(List.of(3), second.epochs);
        assertEquals(reference.params(), r.model().graph().params(), "fitter + resume = the single-machine loop");
        assertEquals(reference.getUpdater().getStateViewArray(), r.model().graph().getUpdater().getStateViewArray());
        assertEquals(18, r.model().graph().getIterationCount());

        List<EpochRecord> log = Trainer.readLog(out.resolve(Trainer.LOG_FILE));
        assertEquals(List.of(1, 2, 3), log.stream().map(EpochRecord::epoch).toList());
        assertEquals(r.history(), log);
        assertTrue(Double.isNaN(log.get(2).trainAccuracy()) && Double.isNaN(log.get(2).gradientNorm()),
                "unmeasured values are NaN in the log: " + log.get(2));
        assertEquals(0.005, log.get(2).learningRate(), 1e-12);
        assertEquals(Evaluator.evaluate(r.model().graph(), TinyNets.iterator(VAL, 8), 1, null).top1(), log.get(2).valTop1(), 1e-12);
        assertEquals(3, TrainingCheckpoint.read(out.resolve(Trainer.LAST_CHECKPOINT)).epochsDone());
    }

    @Test
    void warmUpWithAFitterThatCannotCountItsMinibatchesIsRejected() {
        EpochFitter unknown = new EpochFitter() {
            @Override
            public EpochStats fitEpoch(ComputationGraph graph, int epoch, org.deeplearning4j.optimize.api.TrainingListener c,
                    TrainingProgress p) {
                throw new AssertionError("not reached");
            }

            @Override
            public int iterationsPerEpoch() {
                return 0;
            }
        };
        TrainingRecipe warm = recipe(2).toBuilder().warmupEpochs(1).build();
        assertEquals("Trainer: the recipe has 1 warm-up epoch(s), which need the minibatches per epoch, but the fitter "
                + "reports 0; set Builder.iterationsPerEpoch",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Trainer.builder(TinyNets.model(4, 3), warm).build().fit(unknown)).getMessage());
    }
}
