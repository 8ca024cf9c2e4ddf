package io.github.tsm4j.examples.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.train.Trainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training example of docs/training.md runs, and its checkpoint is a model {@link TsmModel#load} opens. */
class TrainOneEpochTest {

    private static final Path SOURCE = Path.of("src/main/java/io/github/tsm4j/examples/api/TrainOneEpoch.java");

    @Test
    void oneEpochOnATinyDatasetWritesACheckpointThatTsmModelLoads(@TempDir Path dir) throws Exception {
        TemporalOrderDataset.Layout data = TemporalOrderDataset.builder().trainPerClass(1).validationPerClass(1)
                .frames(4).size(16).seed(5).generate(dir.resolve("data"));
        TrainOneEpoch.Result r = TrainOneEpoch.run(new TrainOneEpoch.Options(data.labelsJson(), data.trainJson(),
                data.videoDir(), dir.resolve("run"), 4, 16, 3));

        assertEquals(dir.resolve("run").resolve(Trainer.LAST_CHECKPOINT), r.checkpoint());
        assertTrue(Double.isFinite(r.loss()) && r.loss() > 0, "loss " + r.loss());
        TsmModel loaded = TsmModel.load(r.checkpoint());
        assertEquals(data.train().classNames(), loaded.labels());
        assertEquals(r.model().config(), loaded.config());
        assertEquals(4, loaded.config().segments());
        assertArrayEquals(r.model().graph().params().toFloatVector(), loaded.graph().params().toFloatVector(), 0f);
        assertEquals(1, loaded.provenance().orElseThrow().source().get("epoch"));
        assertTrue(Files.exists(dir.resolve("run").resolve(Trainer.BEST_CHECKPOINT)));
    }

    @Test
    void docsTrainingMdShowsTheExampleVerbatim() throws Exception {
        String source = Files.readString(SOURCE, StandardCharsets.UTF_8);
        String doc = Files.readString(Path.of("../docs/training.md"), StandardCharsets.UTF_8);
        assertTrue(doc.contains("```java\n" + source + "```\n"),
                "docs/training.md must contain " + SOURCE + " verbatim in a ```java block");
    }
}
