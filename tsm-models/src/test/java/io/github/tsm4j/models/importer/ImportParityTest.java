package io.github.tsm4j.models.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmStreamingModel;
import io.github.tsm4j.core.ShiftDirection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parity with PyTorch: checkpoints made by {@code scripts/make_import_fixtures.py} (narrow TSM networks in every
 * supported key layout and both formats) are imported and run on the clip PyTorch ran; the logits agree to 1e-4.
 */
class ImportParityTest {

    static final double TOLERANCE = 1e-4;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImportParityTest.class);

    @TempDir
    Path tmp;

    /** A fixture: the gunzipped checkpoint under its original name, its clip and PyTorch's logits. */
    record Fixture(Path checkpoint, JsonNode info, INDArray clip, INDArray logits) {}

    Fixture fixture(String stem) throws IOException {
        JsonNode info = new ObjectMapper().readTree(TorchCheckpointTest.fixture("models/" + stem + ".json").toFile());
        String file = info.get("file").asText();
        Path ckpt = tmp.resolve(file);
        Files.write(ckpt, gunzip(TorchCheckpointTest.fixture("models/" + file + ".gz")));
        float[] clip = floats(gunzip(TorchCheckpointTest.fixture("models/" + stem + ".clip.f32.gz")));
        long[] clipShape = longs(info.get("clipShape"));
        float[] logits = new float[info.get("logits").size()];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) info.get("logits").get(i).asDouble();
        }
        return new Fixture(ckpt, info, Nd4j.create(clip, clipShape), Nd4j.create(logits, longs(info.get("logitsShape"))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "TSM_something_RGB_resnet50_shift4_blockres_avg_segment4_e45, LEGACY",
        "TSM_kinetics_RGB_resnet18_shift4_block_tpool_avg_segment4_e50, ZIP",
        "TSM_somethingv2_RGB_mobilenetv2_shift8_blockres_avg_segment2_e25, LEGACY",
    })
    void officialCheckpointsMatchPyTorchWithEverythingInferred(String stem, CheckpointFormat format) throws IOException {
        Fixture f = fixture(stem);
        TorchCheckpoint ckpt = TorchCheckpoint.read(f.checkpoint());
        assertEquals(format, ckpt.format());
        ImportResult r = CheckpointImporter.importCheckpoint(ckpt, ImportOptions.defaults().inputSize(32, 32));
        assertEquals(KeyLayout.OFFICIAL_TSM, r.layout());
        assertConfig(f.info(), r.model().config());
        assertClose(f.logits(), r.model().logits(f.clip()), stem);
    }

    @Test
    void theFixtureIsSensitiveToTheShift() throws IOException {
        // the same weights without the shift give clearly different logits, so parity above proves the shift too
        Fixture f = fixture("tsm_r18_mmaction2");
        ImportResult tsn = CheckpointImporter.importFile(f.checkpoint(), ImportOptions.defaults().segments(4).foldDiv(4)
                .inputSize(32, 32).placement(ShiftPlacement.NONE));
        double diff = f.logits().sub(tsn.model().logits(f.clip())).amaxNumber().doubleValue();
        assertTrue(diff > 100 * TOLERANCE, "shift effect on the logits only " + diff);
    }

    @Test
    void torchvisionResNetMatchesAsTsn() throws IOException {
        Fixture f = fixture("resnet18_torchvision");
        ImportResult r = CheckpointImporter.importFile(f.checkpoint(), ImportOptions.defaults().segments(2).inputSize(32, 32));
        assertEquals(KeyLayout.TORCHVISION, r.layout());
        assertConfig(f.info(), r.model().config());
        assertClose(f.logits(), r.model().logits(f.clip()), "torchvision");
    }

    @Test
    void torchvisionMobileNetV2MatchesAsTsn() throws IOException {
        Fixture f = fixture("mobilenet_v2_torchvision");
        ImportResult r = CheckpointImporter.importFile(f.checkpoint(), ImportOptions.defaults().segments(2).inputSize(32, 32));
        assertEquals(KeyLayout.TORCHVISION, r.layout());
        assertConfig(f.info(), r.model().config());
        assertClose(f.logits(), r.model().logits(f.clip()), "torchvision mobilenet_v2");
    }

    @Test
    void torchvisionClassifierIsDroppedWhenTheClassCountDiffers() throws IOException {
        Fixture f = fixture("resnet18_torchvision");
        ImportResult r = CheckpointImporter.importFile(f.checkpoint(), ImportOptions.defaults().segments(2).numClasses(3)
                .inputSize(32, 32));
        assertEquals(3, r.model().config().numClasses());
        assertEquals(java.util.List.of("fc.weight", "fc.bias"), r.skipped());
        assertTrue(r.notes().contains("classifier dropped (10 classes in the checkpoint, 3 requested): fc initialised randomly"),
                r.notes().toString());
        // the backbone is loaded: the stem conv equals the checkpoint's
        TorchTensor conv1 = TorchCheckpoint.read(f.checkpoint()).stateDict().get("conv1.weight");
        assertEquals(Nd4j.create(conv1.toFloatArray(), conv1.shape()), r.model().graph().getLayer("conv1").getParam("W"));
    }

    @Test
    void mmaction2ResNetMatches() throws IOException {
        Fixture f = fixture("tsm_r18_mmaction2");
        ImportResult r = CheckpointImporter.importFile(f.checkpoint(), ImportOptions.defaults().segments(4).foldDiv(4)
                .inputSize(32, 32));
        assertEquals(KeyLayout.MMACTION2, r.layout());
        assertConfig(f.info(), r.model().config());
        assertClose(f.logits(), r.model().logits(f.clip()), "mmaction2");
    }

    @Test
    void onlineDemoCheckpointStreamsFrameByFrameLikePyTorch() throws IOException {
        Fixture f = fixture("mobilenetv2_jester_online");
        ImportResult r = CheckpointImporter.importFile(f.checkpoint(), ImportOptions.defaults().inputSize(32, 32));
        assertEquals(KeyLayout.ONLINE_DEMO, r.layout());
        TsmConfig config = r.model().config();
        assertEquals(Backbone.MOBILENET_V2, config.backbone());
        assertEquals(27, config.numClasses());
        assertEquals(ShiftDirection.UNIDIRECTIONAL, config.direction());
        TsmStreamingModel stream = TsmStreamingModel.of(r.model(), 1);
        long frames = f.clip().size(0);
        for (int i = 0; i < frames; i++) {
            INDArray frame = f.clip().get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup();
            INDArray expected = f.logits().get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all());
            assertClose(expected, stream.step(frame), "online frame " + i);
        }
    }

    static void assertConfig(JsonNode info, TsmConfig c) {
        assertEquals(Backbone.valueOf(info.get("backbone").asText()), c.backbone());
        assertEquals(ShiftPlacement.valueOf(info.get("placement").asText()), c.placement());
        assertEquals(info.get("temporalPool").asBoolean(), c.temporalPool());
        assertEquals(info.get("segments").asInt(), c.segments());
        assertEquals(info.get("numClasses").asInt(), c.numClasses());
        assertEquals(info.get("baseWidth").asInt(), c.baseWidth());
        if (c.placement() != ShiftPlacement.NONE) {
            assertEquals(info.get("foldDiv").asInt(), c.foldDiv());
        }
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what + " shape");
        double maxDiff = expected.castTo(actual.dataType()).sub(actual).amaxNumber().doubleValue();
        LOG.info("{}: max |Δlogit| = {}", what, maxDiff);
        assertTrue(maxDiff <= TOLERANCE, what + ": max |Δlogit| = " + maxDiff + " > " + TOLERANCE
                + "\nexpected " + expected + "\nactual   " + actual);
        // the logits are not degenerate: they vary across classes
        assertTrue(expected.maxNumber().doubleValue() - expected.minNumber().doubleValue() > 0.1, what + ": flat logits");
    }

    static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    static float[] floats(byte[] b) {
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }
}
