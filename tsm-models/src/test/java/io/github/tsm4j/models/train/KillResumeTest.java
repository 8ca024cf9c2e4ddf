package io.github.tsm4j.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} in the middle of training: a child JVM trains for many epochs and is killed without
 * warning right after its first checkpoint appears; the checkpoint left behind is complete: model, momentum
 * buffers, counters and recipe, ready for {@link Trainer#resume}. Slow (starts a second JVM); {@link TrainerTest} covers resume in-process.
 */
@Tag("slow")
class KillResumeTest {

    /** Child process: trains the tiny network for 1000 epochs, checkpointing into args[0]. */
    public static void main(String[] args) throws Exception {
        TrainingRecipe recipe = TrainingRecipe.builder().epochs(1000).batchSize(8).learningRate(0.05)
                .referenceBatchSize(8).lrSteps(List.of()).seed(7).build();
        Trainer.builder(TinyNets.model(4, 3), recipe).checkpointDir(Path.of(args[0])).build()
                .fit(TinyNets.iterator(TinyNets.squares(48, 4, 1), 8));
    }

    @Test
    void killMinus9MidEpochLeavesACompleteCheckpointToResumeFrom(@TempDir Path dir) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KillResumeTest.class.getName(), dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        Path last = dir.resolve(Trainer.LAST_CHECKPOINT);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(last) && System.nanoTime() < deadline && child.isAlive()) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(last), "no checkpoint from the child: " + Files.readString(dir.resolve("child.log")));
        Thread.sleep(150); // somewhere in the next epoch
        child.destroyForcibly().waitFor(); // SIGKILL: no shutdown hooks, no finally blocks
        TrainingCheckpoint cp = TrainingCheckpoint.read(last);
        assertTrue(cp.epochsDone() >= 1);
        int done = cp.epochsDone();
        assertEquals(done, cp.model().graph().getEpochCount(), "the checkpoint holds the epoch counter");
        assertEquals(done * 6, cp.model().graph().getIterationCount(), "6 minibatches per epoch");
        assertTrue(cp.model().graph().getUpdater().getStateViewArray().norm2Number().doubleValue() > 0,
                "momentum buffers were saved");
        assertEquals(1000, cp.recipe().epochs());
        try (var files = Files.list(dir)) {
            assertTrue(files.map(p -> p.getFileName().toString())
                    .allMatch(n -> n.equals("last.zip") || n.equals("best.zip") || n.equals("training.jsonl")
                            || n.equals("child.log") || n.endsWith(".tmp")), "only checkpoint files");
        }
    }
}
