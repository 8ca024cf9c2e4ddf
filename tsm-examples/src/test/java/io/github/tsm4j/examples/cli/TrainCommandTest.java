package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.models.Provenance;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.train.EpochRecord;
import io.github.tsm4j.models.train.Trainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Single-machine {@code tsm train} from scratch: checkpoints, log, and the run's provenance in the saved model. */
class TrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void aFreshRunWritesCheckpointsLogAndRecordsItsDatasetAsProvenance() throws Exception {
        TemporalOrderDataset.Layout data = TemporalOrderDataset.builder().trainPerClass(2).validationPerClass(1)
                .frames(4).size(32).seed(5).generate(dir.resolve("data"));
        Path out = dir.resolve("run");
        CommandLine cli = TsmCli.commandLine();
        StringWriter text = new StringWriter();
        cli.setOut(new PrintWriter(text));
        int code = cli.execute("train", "--labels", data.labelsJson().toString(), "--videos",
                data.videoDir().toString(), "--train", data.trainJson().toString(), "--val",
                data.validationJson().toString(), "--output", out.toString(), "--backbone", "RESNET18",
                "--base-width", "8", "--segments", "4", "--size", "32", "--scale", "32", "--epochs", "1",
                "--batch-size", "4", "--lr", "0.01", "--workers", "1", "--no-progress");
        assertEquals(0, code, text.toString());
        assertTrue(Files.isRegularFile(out.resolve(Trainer.LAST_CHECKPOINT)));
        List<EpochRecord> log = Trainer.readLog(out.resolve(Trainer.LOG_FILE));
        assertEquals(List.of(1), log.stream().map(EpochRecord::epoch).toList());

        TsmModel model = TsmModel.load(out.resolve(Trainer.LAST_CHECKPOINT));
        assertEquals(data.train().classNames(), model.labels());
        Provenance provenance = model.provenance().orElseThrow();
        Map<String, Object> source = provenance.source();
        assertEquals("tsm train", source.get("command"), source.toString());
        Map<?, ?> dataset = (Map<?, ?>) source.get("dataset");
        assertEquals(data.labelsJson().toString(), dataset.get("labels"));
        assertEquals(data.videoDir().toString(), dataset.get("videos"));
        assertEquals(data.trainJson().toString(), dataset.get("train"));
        assertEquals(data.validationJson().toString(), dataset.get("val"));
        assertEquals(1, ((Number) source.get("epoch")).intValue(), source.toString());
    }
}
