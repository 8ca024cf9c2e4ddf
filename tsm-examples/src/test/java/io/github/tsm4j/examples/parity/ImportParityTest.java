package io.github.tsm4j.examples.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportParityTest {

    @TempDir
    Path tmp;

    @Test
    void smallFixturesAgreeWithPyTorch() throws IOException {
        Path fixtures = Path.of("../tsm-models/src/test/resources/io/github/tsm4j/models/importer/models");
        for (String stem : List.of("resnet18_torchvision")) {
            for (String suffix : List.of(".json", ".clip.f32.gz")) {
                Files.copy(fixtures.resolve(stem + suffix), tmp.resolve(stem + suffix));
            }
            Files.copy(fixtures.resolve(stem + ".pth.gz"), tmp.resolve(stem + ".pth.gz"));
        }
        List<ImportParity.Result> results = ImportParity.run(tmp);
        assertEquals(List.of("resnet18_torchvision.pth"), results.stream().map(ImportParity.Result::checkpoint).toList());
        assertEquals(List.of("TORCHVISION"), results.stream().map(ImportParity.Result::layout).toList());
        for (ImportParity.Result r : results) {
            assertTrue(r.maxAbsDiff() <= 1e-4, r.toString());
            assertTrue(r.logitRange() > 0.1, r.toString());
        }
    }
}
