package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.examples.spark.SparkEpochFitter;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.train.EpochRecord;
import io.github.tsm4j.models.train.Trainer;
import io.github.tsm4j.models.train.TrainingCheckpoint;
import io.github.tsm4j.models.train.TrainingProgress;
import io.github.tsm4j.models.train.TrainingRecipe;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tsm train --spark-master}: the single-machine command's recipe, checkpoints, log and resume on Spark. */
class TrainCommandSparkTest {
    @TempDir
    Path dir;

    @Test
    void anInterruptedSparkRunResumesWithTrainSparkMasterAndWritesTheSingleMachineCheckpointsAndLog() throws Exception {
        TemporalOrderDataset.Layout data = TemporalOrderDataset.builder().trainPerClass(2).validationPerClass(1)
                .frames(4).size(32).seed(3).generate(dir.resolve("data"));
        var train = data.train();
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, train.numClasses())
                .input(InputSpec.imageNet(4).withSize(32, 32)).direction(ShiftDirection.UNIDIRECTIONAL).baseWidth(8)
                .dropout(0).build();
        TsmModel model = TsmModel.create(config, train.classNames(), TsmNetworks.defaultGlobals().seed(3));
        // 2 epochs with a warm-up epoch (the warm-up needs the fitter's minibatches per epoch), killed after epoch 1
        TrainingRecipe recipe = TrainingRecipe.builder().epochs(2).batchSize(4).learningRate(0.01).referenceBatchSize(4)
                .warmupEpochs(1).seed(3).build();
        Path out = dir.resolve("out");
        try (SparkEpochFitter fitter = SparkEpochFitter.builder(train, config.input(), 4).master("local[2]").workers(2)
                .seed(3).build()) {
            assertThrows(IllegalStateException.class, () -> Trainer.builder(model, recipe).checkpointDir(out)
                    .progress(new TrainingProgress() {
                        @Override
                        public void epochDone(EpochRecord record) {
                            throw new IllegalStateException("killed after epoch " + record.epoch());
                        }
                    }).build().fit(fitter));
        }
        assertEquals(1, TrainingCheckpoint.read(out.resolve(Trainer.LAST_CHECKPOINT)).epochsDone());

        CommandLine cli = TsmCli.commandLine();
        StringWriter text = new StringWriter();
        cli.setOut(new PrintWriter(text));
        int code = cli.execute("train", "--spark-master", "local[2]", "--spark-workers", "2",
                "--labels", data.labelsJson().toString(), "--videos", data.videoDir().toString(),
                "--train", data.trainJson().toString(), "--val", data.validationJson().toString(),
                "--output", out.toString(), "--resume", out.resolve(Trainer.LAST_CHECKPOINT).toString(),
                "--batch-size", "4", "--no-progress");
        assertEquals(0, code, text.toString());
        String printed = text.toString();
        assertTrue(printed.contains("Spark local[2]: 2 workers x 2 clips per step (global batch 4), PARAMETER_AVERAGING"),
                printed);
        assertTrue(printed.contains("epoch 2: loss"), printed);
        List<EpochRecord> log = Trainer.readLog(out.resolve(Trainer.LOG_FILE));
        assertEquals(List.of(1, 2), log.stream().map(EpochRecord::epoch).toList());
        assertTrue(log.get(1).valTop1() != null && Double.isNaN(log.get(1).trainAccuracy()), log.toString());
        // warm-up over epoch 1 (3 steps of 2 workers x 2 clips), then the full rate
        assertEquals(0.01, log.get(1).learningRate(), 1e-12);
        TrainingCheckpoint cp = TrainingCheckpoint.read(out.resolve(Trainer.LAST_CHECKPOINT));
        assertEquals(2, cp.epochsDone());
        assertEquals(recipe, cp.recipe());
        assertEquals(6, cp.model().graph().getIterationCount());
        TsmModel loaded = TsmModel.load(out.resolve(Trainer.LAST_CHECKPOINT));
        assertEquals(config, loaded.config());
        assertEquals(train.classNames(), loaded.labels());
    }

    @Test
    void flagsThatDoNotApplyAreUsageErrors() {
        String[] base = {"train", "--labels", "l.json", "--videos", "v", "--train", "t.json", "--output",
            dir.toString()};
        assertEquals(TsmCli.EXIT_USAGE, run(base, "--spark-workers", "2"));
        assertEquals(TsmCli.EXIT_USAGE, run(base, "--spark-approach", "SHARED_GRADIENTS"));
        assertEquals(TsmCli.EXIT_USAGE, run(base, "--spark-master", "local[2]", "--workers", "3"));
        assertEquals(TsmCli.EXIT_USAGE, run(base, "--spark-master", "local[2]", "--spark-workers", "3", "--batch-size", "8"));
        assertEquals(TsmCli.EXIT_USAGE, run(base, "--spark-master", "local[2]", "--spark-threshold", "0.01"));
        assertEquals(TsmCli.EXIT_USAGE, run(base, "--spark-master", "local[2]", "--spark-approach", "SHARED_GRADIENTS",
                "--averaging-frequency", "2"));
    }

    private static int run(String[] base, String... more) {
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return TsmCli.run(args);
    }
}
