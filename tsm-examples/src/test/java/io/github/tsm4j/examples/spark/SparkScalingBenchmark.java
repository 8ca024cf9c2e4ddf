package io.github.tsm4j.examples.spark;

import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import io.github.tsm4j.models.train.EpochRecord;
import io.github.tsm4j.models.train.Trainer;
import io.github.tsm4j.models.train.TrainingRecipe;

/**
 * Clips/s of Spark training at 1 and 2 local workers on the synthetic data (docs/distributed.md). Off by default; run with
 * {@code -Dbench=true -Dtest=SparkScalingBenchmark}. Prints lines starting with "SCALING".
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class SparkScalingBenchmark {
    @TempDir
    Path dir;

    @Test
    void clipsPerSecondAtOneAndTwoWorkers() throws Exception {
        int size = Integer.getInteger("bench.size", 64);
        int perClass = Integer.getInteger("bench.perClass", 8);
        int epochs = Integer.getInteger("bench.epochs", 2);
        TemporalOrderDataset.Layout l = TemporalOrderDataset.builder().trainPerClass(perClass).validationPerClass(0)
                .frames(16).size(size + size / 8).seed(5).generate(dir);
        VideoDataset train = l.train();
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, train.numClasses()).segments(8)
                .inputSize(size, size + size / 8).baseWidth(16).dropout(0).build();
        ComputationGraph probe = TsmModel.create(config, train.classNames()).graph();
        long params = probe.numParams();
        // compute per step on the driver JVM: forward+backward of one 4-clip minibatch
        DataSet batch = new DataSet(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT,
                4 * 8, 3, size, size), org.nd4j.linalg.factory.Nd4j.eye(6).getRows(0, 1, 2, 3));
        // off the JVM's main thread (Spark's workers run in executor threads; ND4J on the main thread was much
        // slower on this VM under load)
        double[] stepHolder = new double[1];
        Thread t = new Thread(() -> {
            for (int i = 0; i < 3; i++) {
                probe.fit(batch);
            }
            int n = 10;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                probe.fit(batch);
            }
            stepHolder[0] = (System.nanoTime() - t0) / 1e9 / n;
        });
        t.start();
        t.join();
        double step = stepHolder[0];
        System.out.printf("SCALING model TSM-R18 width 16, T=8, %dpx: %d params (%.2f MB fp32); "
                + "compute per 4-clip step %.3f s (%.2f clips/s, no decoding)%n", size, params, params * 4 / 1e6,
                step, 4 / step);
        for (SparkEpochFitter.Approach approach : SparkEpochFitter.Approach.values()) {
            for (int workers : new int[] {1, 2}) {
                // Trainer (the single-machine recipe: SGD momentum, clipping, weight decay) + Spark epochs;
                // 4 clips per worker minibatch
                TrainingRecipe recipe = TrainingRecipe.builder().epochs(epochs).batchSize(4 * workers)
                        .learningRate(0.01).referenceBatchSize(4 * workers).seed(5).build();
                try (SparkEpochFitter fitter = SparkEpochFitter.builder(train, config.input(), 4 * workers)
                        .master("local[" + workers + "]").workers(workers).approach(approach)
                        .unicastPort(40200 + workers).build()) {
                    Trainer.TrainingResult r = Trainer.builder(TsmModel.create(config, train.classNames()), recipe)
                            .build().fit(fitter);
                    EpochRecord last = r.history().get(r.history().size() - 1);
                    System.out.printf("SCALING %s, %d worker(s): %d clips in %.1f s = %.2f clips/s (loss %.4f)%n",
                            approach, workers, train.size(), fitter.lastSeconds(), train.size() / fitter.lastSeconds(),
                            last.loss());
                }
            }
        }
    }
}
