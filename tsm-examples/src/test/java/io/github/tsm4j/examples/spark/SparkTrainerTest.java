package io.github.tsm4j.examples.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.iterator.ClipDataSetIterator;
import io.github.tsm4j.data.iterator.ClipLoader;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.Prediction;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/** local[N] Spark training of a tiny TSM-ResNet-18 (tsm-models) on the synthetic temporal-order clips. */
class SparkTrainerTest {
    static final int EPOCHS = 1;

    @TempDir
    static Path dir;
    static TemporalOrderDataset.Layout data;
    static VideoDataset train;
    static VideoDataset validation;
    static TsmConfig config;

    @BeforeAll
    static void data() {
        data = TemporalOrderDataset.builder().trainPerClass(6).validationPerClass(3)
                .frames(8).size(36).seed(3).generate(dir.resolve("data"));
        train = data.train();
        validation = data.validation();
        config = TsmConfig.builder(Backbone.RESNET18, train.numClasses()).segments(4).inputSize(32, 36)
                .baseWidth(8).dropout(0).build();
    }

    static TsmModel freshModel() {
        return TsmModel.create(config, train.classNames(), TsmNetworks.defaultGlobals().updater(new Adam(3e-3)));
    }

    @Test
    void localTwoWorkersTrainWithinTheSingleMachineBandAndCheckpointsLoadInTsmModel() throws IOException {
        // single machine: global batch 8, EPOCHS epochs, the same initial weights
        ComputationGraph single = freshModel().graph();
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(train, config.input()).batchSize(8)
                .training(true).horizontalFlip(false).seed(1).build()) {
            for (int e = 0; e < EPOCHS; e++) {
                it.setEpoch(e);
                it.reset();
                single.fit(it);
            }
        }
        double singleAccuracy = SparkTrainer.accuracy(single, validation, config.input(), 8);

        // Spark: 2 workers x 4 clips = the same global batch, averaged every minibatch
        TsmModel model = freshModel();
        INDArray initial = model.graph().params().dup();
        Path ckpt = dir.resolve("ckpt");
        AtomicInteger epochs = new AtomicInteger();
        SparkTrainer.Result r = SparkTrainer.builder(model.graph(), train, config.input())
                .master("local[2]").workers(2).batchSizePerWorker(4).epochs(EPOCHS).flip(false)
                .approach(SparkTrainer.Approach.PARAMETER_AVERAGING)
                .validation(validation).checkpointDir(ckpt)
                .checkpointWriter((g, f) -> TsmModel.wrap(g, config, train.classNames()).save(f, true))
                .listener(x -> epochs.incrementAndGet())
                .build().fit();

        assertEquals(EPOCHS, r.history().size());
        assertEquals(EPOCHS, epochs.get());
        for (SparkTrainer.EpochResult e : r.history()) {
            assertEquals(train.size(), e.clips());
            assertTrue(Double.isFinite(e.trainScore()) && e.trainScore() > 0, "loss " + e.trainScore());
        }
        assertFalse(initial.equalsWithEps(r.model().params(), 1e-6), "Spark training left the weights unchanged");
        double sparkAccuracy = r.history().get(EPOCHS - 1).validationAccuracy();
        assertTrue(Math.abs(sparkAccuracy - singleAccuracy) <= 0.25,
                "Spark accuracy " + sparkAccuracy + " vs single-machine " + singleAccuracy);
        assertEquals(r.history().stream().mapToDouble(SparkTrainer.EpochResult::validationAccuracy).max().orElseThrow(),
                r.bestAccuracy(), 0);

        // the driver's checkpoint is a plain TsmModel: it loads, predicts and equals the trained network
        assertTrue(Files.exists(ckpt.resolve(SparkTrainer.BEST_CHECKPOINT)));
        TsmModel loaded = TsmModel.load(ckpt.resolve(SparkTrainer.LAST_CHECKPOINT));
        assertEquals(config, loaded.config());
        assertEquals(train.classNames(), loaded.labels());
        INDArray clip = ClipLoader.forTest(config.input()).loadTensor(validation.samples().get(0).path(), null);
        assertArrayEquals(r.model().outputSingle(false, clip).toFloatVector(),
                loaded.output(clip).toFloatVector(), 1e-5f);
        List<Prediction> top = loaded.predict(clip, 3);
        assertEquals(3, top.size());
    }

    /** Throws once per JVM for the first row it sees, then decodes normally; the marker file records the throw. */
    record FlakyOnce(String marker) implements ClipSource {
        @Override
        public float[] load(ClipRow row, ClipLoader loader, java.util.random.RandomGenerator rng) {
            Path m = Path.of(marker);
            try {
                Files.createFile(m);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return ClipSource.DECODE.load(row, loader, rng);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("injected executor failure at row " + row.id());
        }
    }

    @Test
    void aTaskThatFailsOnceIsRetriedBySparkAndGradientSharingTrainingCompletes() throws IOException {
        Path marker = dir.resolve("failed-once");
        TsmModel model = freshModel();
        SparkTrainer.Result r = SparkTrainer.builder(model.graph(), train, config.input())
                .master("local[2,2]").workers(2).batchSizePerWorker(4).epochs(1).flip(false)
                .approach(SparkTrainer.Approach.SHARED_GRADIENTS)
                .clipSource(new FlakyOnce(marker.toString()))
                .build().fit();
        assertTrue(Files.exists(marker), "the injected failure never happened");
        assertEquals(1, r.history().size());
        assertEquals(train.size(), r.history().get(0).clips());
        assertTrue(Double.isNaN(r.bestAccuracy()));
    }

    @Test
    void aTaskThatFailsWithoutRetriesFailsTheTraining() {
        Path marker = dir.resolve("failed-no-retry");
        SparkTrainer t = SparkTrainer.builder(freshModel().graph(), train, config.input())
                .master("local[2]").workers(2).batchSizePerWorker(4).epochs(1).flip(false)
                .clipSource(new FlakyOnce(marker.toString())).build();
        Exception e = assertThrows(Exception.class, t::fit);
        assertTrue(String.valueOf(rootMessage(e)).contains("injected executor failure"), rootMessage(e));
    }

    @Test
    void rowsAndSettingsAreValidated() {
        assertEquals("ClipRow.label of a must be >= 0 (a labelled sample), found -1",
                assertThrows(IllegalArgumentException.class, () -> new ClipRow("a", "/x.webm", -1, 0)).getMessage());
        assertEquals("SparkTrainer.epochs must be >= 1, found 0",
                assertThrows(IllegalArgumentException.class,
                        () -> SparkTrainer.builder(freshModel().graph(), train, config.input()).epochs(0)).getMessage());
        // the seed of a row's augmentation depends on (seed, epoch, index) only
        assertEquals(ClipDecodeFunction.mix(1, 2, 3), ClipDecodeFunction.mix(1, 2, 3));
        assertTrue(ClipDecodeFunction.mix(1, 2, 3) != ClipDecodeFunction.mix(1, 3, 3));
        new SplittableRandom(ClipDecodeFunction.mix(1, 2, 3));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder();
        while (t != null) {
            sb.append(t.getMessage()).append(" | ");
            t = t.getCause();
        }
        return sb.toString();
    }
}
