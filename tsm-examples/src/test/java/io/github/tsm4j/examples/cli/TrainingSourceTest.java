package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provenance source {@code tsm train} records in every checkpoint. */
class TrainingSourceTest {

    @Test
    void theSourceNamesTheDatasetAndTheInitModelWithItsOwnSource() {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, 2).input(InputSpec.imageNet(2).withSize(16, 16))
                .baseWidth(8).build();
        TsmModel init = TsmModel.create(config, List.of("a", "b")).withSource(Map.of("imported", "x.pth"));
        Map<String, Object> source = TrainCommand.trainingSource(Path.of("d/labels.json"), Path.of("d/videos"),
                Path.of("d/train.json"), null, Path.of("init.zip"), init);
        assertEquals(Map.of("command", "tsm train",
                "dataset", Map.of("labels", "d/labels.json", "videos", "d/videos", "train", "d/train.json"),
                "init", Map.of("file", "init.zip", "source", Map.of("imported", "x.pth"))), source);
        assertEquals(List.of("command", "dataset", "init"), List.copyOf(source.keySet()));
    }
}
