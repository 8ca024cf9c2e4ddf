package io.github.tsm4j.examples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.iterator.ClipDataSetIterator;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkTrainerTest {
    static final int T = 4;
    static final int SIZE = 32;
    static final InputSpec SPEC = new InputSpec(T, SIZE, 36, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD);

    @TempDir
    static Path dir;
    static VideoDataset train;
    static VideoDataset validation;

    @BeforeAll
    static void data() {
        TemporalOrderDataset.Layout l = TemporalOrderDataset.builder().trainPerClass(16).validationPerClass(8)
                .frames(16).size(SIZE + 8).seed(3).generate(dir.resolve("data"));
        train = l.train();
        validation = l.validation();
    }

    @Test
    void explore() throws Exception {
        int epochs = Integer.getInteger("epochs", 4);
        long t0 = System.nanoTime();
        ComputationGraph single = TinyTsm.create(T, SIZE, train.numClasses(), 7);
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(train, SPEC).batchSize(8).training(true)
                .horizontalFlip(false).seed(1).build()) {
            for (int e = 0; e < epochs; e++) {
                it.setEpoch(e);
                it.reset();
                single.fit(it);
                System.out.println("single epoch " + e + " acc " + SparkTrainer.accuracy(single, validation, SPEC, 8));
            }
        }
        double t1 = (System.nanoTime() - t0) / 1e9;
        SparkTrainer.Result r = SparkTrainer.builder(TinyTsm.create(T, SIZE, train.numClasses(), 7), train, SPEC)
                .master("local[2]").workers(2).batchSizePerWorker(4).epochs(epochs).flip(false)
                .validation(validation).listener(x -> System.out.println("spark " + x)).build().fit();
        double t2 = (System.nanoTime() - t0) / 1e9 - t1;
        System.out.println("single " + t1 + " s, spark " + t2 + " s, best " + r.bestAccuracy());
        assertEquals(epochs, r.history().size());
        assertTrue(r.bestAccuracy() >= 0);
    }
}
