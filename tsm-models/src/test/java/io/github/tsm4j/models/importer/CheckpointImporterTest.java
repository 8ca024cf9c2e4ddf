package io.github.tsm4j.models.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mismatches between a state dict and the network, and what is inferred from tensors, names and options. */
class CheckpointImporterTest {

    @TempDir
    static Path tmp;
    static TorchCheckpoint resnet18;

    @BeforeAll
    static void readFixture() throws IOException {
        Path file = tmp.resolve("resnet18_torchvision.pth");
        Files.write(file, ImportParityTest.gunzip(TorchCheckpointTest.fixture("models/resnet18_torchvision.pth.gz")));
        resnet18 = TorchCheckpoint.read(file);
    }

    private static ImportResult importModified(Map<String, TorchTensor> sd, ImportOptions options) {
        return CheckpointImporter.importStateDict(resnet18.path(), sd, Optional.empty(), options, new ArrayList<>());
    }

    @Test
    void importFileRecordsTheCheckpointItsHashFormatAndLayoutAsSource() throws Exception {
        Path file = resnet18.path();
        ImportResult r = CheckpointImporter.importFile(file, ImportOptions.defaults().segments(2).inputSize(32, 32));
        String sha = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        Map<String, Object> source = r.model().source();
        assertEquals("resnet18_torchvision.pth", source.get("imported"));
        assertEquals(resnet18.format().toString(), source.get("format"));
        assertEquals(r.layout().toString(), source.get("layout"));
        assertEquals(sha, source.get("sha256"));
        Path saved = tmp.resolve("imported.zip");
        r.model().save(saved, false);
        assertEquals(source, io.github.tsm4j.models.TsmModel.load(saved).provenance().orElseThrow().source());
    }

    @Test
    void missingUnexpectedAndMisshapedKeysAreListedTogether() {
        Map<String, TorchTensor> sd = new LinkedHashMap<>(resnet18.stateDict());
        sd.remove("layer3.1.bn2.running_var");
        sd.put("layer1.0.conv2.weight", sd.get("layer2.0.conv2.weight")); // [8, 8, 3, 3] where [4, 4, 3, 3] belongs
        sd.put("layer5.0.conv1.weight", sd.get("conv1.weight"));
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class,
                () -> importModified(sd, ImportOptions.defaults().segments(2).inputSize(32, 32)));
        assertEquals(List.of("layer3.1.bn2.running_var"), e.missing());
        assertEquals(List.of("layer5.0.conv1.weight"), e.unexpected());
        assertEquals(List.of("layer1.0.conv2.weight: checkpoint [8, 8, 3, 3], network [4, 4, 3, 3]"), e.wrongShape());
        assertEquals("state dict does not fit TSM RESNET18 (width 4, placement NONE, 10 classes): 1 missing "
                + "[layer3.1.bn2.running_var], 1 unexpected [layer5.0.conv1.weight], 1 wrongly shaped "
                + "[layer1.0.conv2.weight: checkpoint [8, 8, 3, 3], network [4, 4, 3, 3]]", e.getMessage());
    }

    @Test
    void aBackboneOverrideThatContradictsTheTensorsIsAMismatch() {
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> importModified(
                resnet18.stateDict(), ImportOptions.defaults().backbone(Backbone.RESNET34).segments(2).inputSize(32, 32)));
        assertTrue(e.missing().contains("layer1.2.conv1.weight"), e.missing().toString());
        assertTrue(e.unexpected().isEmpty(), e.unexpected().toString());
    }

    @Test
    void userOptionsOverrideTensorsAndFileName() {
        ImportResult r = importModified(resnet18.stateDict(), ImportOptions.defaults().segments(6).foldDiv(2)
                .placement(ShiftPlacement.RESIDUAL).inputSize(32, 40).labels(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")));
        assertEquals(6, r.model().config().segments());
        assertEquals(2, r.model().config().foldDiv());
        assertEquals(ShiftPlacement.RESIDUAL, r.model().config().placement());
        assertEquals(40, r.model().config().input().scaleSize());
        assertEquals("j", r.model().labels().get(9));
        assertTrue(r.notes().contains("placement RESIDUAL (given)"), r.notes().toString());
        assertTrue(r.notes().contains("segments 6 (given)"), r.notes().toString());
    }

    @Test
    void unknownKeysCannotBeMapped() {
        Map<String, TorchTensor> sd = Map.of("encoder.weight", resnet18.stateDict().get("conv1.weight"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> importModified(sd, ImportOptions.defaults()));
        assertTrue(e.getMessage().startsWith("cannot tell the key layout"), e.getMessage());
    }

    @Test
    void aResNetDepthThatDoesNotExistIsNamed() {
        Map<String, TorchTensor> sd = new LinkedHashMap<>(resnet18.stateDict());
        sd.keySet().removeIf(k -> k.startsWith("layer4.1."));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> importModified(sd, ImportOptions.defaults().segments(2)));
        assertEquals("no ResNet with BasicBlock blocks [2, 2, 2, 1] per stage (known: resnet18/34/50/101/152)", e.getMessage());
    }
}
