package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.tsm4j.data.iterator.ClipDataSetIterator;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.train.EpochRecord;
import io.github.tsm4j.models.train.Trainer;
import io.github.tsm4j.models.train.TrainingCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;

/**
 * Resume where users resume: {@code tsm train} on generated videos through the real {@link ClipDataSetIterator}
 * (shuffled, augmented: random crops of a larger frame; the epoch set by {@code beforeEpoch}), interrupted
 * exactly at the end of epoch 1 (its checkpoint written, the process failing as it reports the epoch), then
 * continued by {@code tsm train --resume} and by {@link Trainer#resume} with a fresh iterator, as a restarted
 * process would. Both must end bit-identical to the uninterrupted run: parameters, momentum buffers, counters
 * and the logged loss.
 */
class ResumeTest {

    @TempDir
    Path dir;

    /** A writer that fails (once) when the text it receives contains {@code marker}. */
    private static final class FailOn extends Writer {
        private final String marker;
        private final StringBuilder seen = new StringBuilder();
        private boolean failed;

        FailOn(String marker) {
            this.marker = marker;
        }

        @Override
        public void write(char[] buf, int off, int len) {
            seen.append(buf, off, len);
            if (!failed && seen.indexOf(marker) >= 0) {
                failed = true;
                throw new IllegalStateException("interrupted after: " + marker);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    private static int train(Writer out, StringWriter err, List<String> args) {
        CommandLine cli = TsmCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args.toArray(String[]::new));
    }

    @Test
    void interruptedAfterEpochOneAndResumedByTheCliAndTheApiEqualsTheUninterruptedRun() throws Exception {
        TemporalOrderDataset.Layout data = TemporalOrderDataset.builder().trainPerClass(1).validationPerClass(0)
                .frames(4).size(40).seed(5).generate(dir.resolve("data"));
        List<String> common = List.of("train", "--labels", data.labelsJson().toString(), "--videos",
                data.videoDir().toString(), "--train", data.trainJson().toString(), "--backbone", "RESNET18",
                "--base-width", "8", "--segments", "4", "--scale", "40", "--size", "32", "--epochs", "2",
                "--batch-size", "4", "--lr", "0.05", "--workers", "1", "--no-progress");

        // the uninterrupted run: 2 epochs of 6 shuffled, augmented clips in minibatches of 4 + 2
        Path straight = dir.resolve("straight");
        StringWriter err = new StringWriter();
        assertEquals(0, train(new StringWriter(), err, with(common, "--output", straight.toString())), err.toString());

        // the same run, interrupted as it reports epoch 1 (after epoch 1's checkpoint and log line)
        Path split = dir.resolve("split");
        err = new StringWriter();
        assertNotEquals(0, train(new FailOn("train epoch 1:"), err, with(common, "--output", split.toString())));
        assertEquals(1, TrainingCheckpoint.read(split.resolve(Trainer.LAST_CHECKPOINT)).epochsDone(), err.toString());
        Path api = dir.resolve("api");
        copyFolder(split, api);

        // resumed by the CLI
        err = new StringWriter();
        assertEquals(0, train(new StringWriter(), err, with(common, "--output", split.toString(), "--resume",
                split.resolve(Trainer.LAST_CHECKPOINT).toString())), err.toString());
        assertSameTraining(straight, split, "tsm train --resume");

        // resumed through the API, with a new iterator built as the command builds it
        TrainingCheckpoint cp = TrainingCheckpoint.read(api.resolve(Trainer.LAST_CHECKPOINT));
        TsmModel saved = TsmModel.load(api.resolve(Trainer.LAST_CHECKPOINT));
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(data.train(), saved.config().input())
                .batchSize(cp.recipe().batchSize()).training(true).seed(cp.recipe().seed()).workers(1).build()) {
            Trainer.resume(api.resolve(Trainer.LAST_CHECKPOINT)).beforeEpoch(it::setEpoch).build().fit(it);
        }
        assertSameTraining(straight, api, "Trainer.resume");
    }

    /** Parameters, updater state, counters and logged losses of the two runs' last checkpoints are identical. */
    private static void assertSameTraining(Path expectedDir, Path actualDir, String what) throws IOException {
        TrainingCheckpoint expected = TrainingCheckpoint.read(expectedDir.resolve(Trainer.LAST_CHECKPOINT));
        TrainingCheckpoint actual = TrainingCheckpoint.read(actualDir.resolve(Trainer.LAST_CHECKPOINT));
        assertEquals(2, actual.epochsDone(), what);
        assertEquals(expected.model().graph().getIterationCount(), actual.model().graph().getIterationCount(), what + ": iterations");
        assertEquals(expected.model().graph().getEpochCount(), actual.model().graph().getEpochCount(), what + ": epoch count");
        assertBitIdentical(expected.model().graph().params(), actual.model().graph().params(), what + ": parameters");
        INDArray momentum = expected.model().graph().getUpdater().getStateViewArray();
        assertNotEquals(0.0, momentum.norm2Number().doubleValue(), "the reference has momentum buffers");
        assertBitIdentical(momentum, actual.model().graph().getUpdater().getStateViewArray(), what + ": momentum buffers");
        assertEquals(losses(expectedDir), losses(actualDir), what + ": logged losses of epochs 1 and 2");
    }

    private static void assertBitIdentical(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertArrayEquals(expected.ravel().toFloatVector(), actual.ravel().toFloatVector(), 0f, what);
    }

    private static List<Double> losses(Path run) throws IOException {
        return Trainer.readLog(run.resolve(Trainer.LOG_FILE)).stream().map(EpochRecord::loss).toList();
    }

    private static List<String> with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
