package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.examples.stream.FrameModel;
import io.github.tsm4j.examples.stream.FramePreprocessor;
import io.github.tsm4j.examples.stream.RgbFrame;
import io.github.tsm4j.examples.stream.TestVideos;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.github.tsm4j.models.Provenance;
import org.deeplearning4j.util.ModelSerializer;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

/** predict, info and stream on a tiny real model (ResNet-18 TSM, stem width 8, 32 px, 4 frames, 3 classes). */
@Timeout(120)
class ModelCommandsTest {

    private static final List<String> LABELS = List.of("left", "right", "still");

    @TempDir
    static Path dir;
    static Path model;
    static Path video;

    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    @BeforeAll
    static void tinyModelAndVideo() throws Exception {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, LABELS.size())
                .input(InputSpec.imageNet(4).withSize(32, 32))
                .baseWidth(8)
                .direction(ShiftDirection.UNIDIRECTIONAL)
                .build();
        model = dir.resolve("tiny.zip");
        TsmModel.create(config, LABELS).save(model, false);
        video = TestVideos.write(dir.resolve("clip.mp4"), 48, 40, 6, 12,
                i -> new int[] {20 * i, 255 - 20 * i, (37 * i) % 256});
    }

    static Run tsm(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TsmCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void predictPrintsTopKPerVideo() {
        Run r = tsm("predict", video.toString(), video.toString(), "-m", model.toString(), "--top", "2");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(6, lines.size(), r.out());
        assertEquals(video + "  (1 clip x 1 crop, 4 frames each)", lines.get(0));
        assertTrue(lines.get(1).matches(" {2} 1  0\\.\\d{4}  (left|right|still)"), lines.get(1));
        assertTrue(lines.get(2).startsWith("   2  0."), lines.get(2));
    }

    @Test
    void predictJsonParsesAndRanksProbabilities() throws Exception {
        Run r = tsm("predict", video.toString(), "-m", model.toString(), "--json", "--top", "9");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(model.toString(), doc.get("model").asText());
        JsonNode result = doc.get("results").get(0);
        assertEquals(video.toString(), result.get("video").asText());
        JsonNode top = result.get("top");
        assertEquals(3, top.size(), "--top is capped at the class count");
        double sum = 0;
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, top.get(i).get("rank").asInt());
            assertEquals(LABELS.get(top.get(i).get("index").asInt()), top.get(i).get("label").asText());
            if (i > 0) {
                assertTrue(top.get(i).get("probability").asDouble() <= top.get(i - 1).get("probability").asDouble());
            }
            sum += top.get(i).get("probability").asDouble();
        }
        assertEquals(1.0, sum, 1e-5);
    }

    @Test
    void viewsOfAStillVideoAllAgreeSoAveragingChangesNothing() throws Exception {
        // every frame identical and uniform: every clip and every crop is the same input
        Path still = TestVideos.write(dir.resolve("still.mp4"), 48, 40, 16, 12, i -> new int[] {90, 160, 30});
        JsonNode one = predictJson(still, "--crops", "1");
        JsonNode many = predictJson(still, "--crops", "3", "--clips", "2", "--batch", "4");
        assertEquals(2, many.get("clips").asInt());
        assertEquals(3, many.get("crops").asInt());
        for (int i = 0; i < 3; i++) {
            assertEquals(one.get("top").get(i).get("index").asInt(), many.get("top").get(i).get("index").asInt());
            assertEquals(one.get("top").get(i).get("probability").asDouble(),
                    many.get("top").get(i).get("probability").asDouble(), 1e-6);
        }
        JsonNode dense = predictJson(still, "--sampling", "DENSE", "--clips", "2");
        assertEquals(2, dense.get("clips").asInt());
        assertEquals(1, dense.get("crops").asInt());
        assertEquals(one.get("top").get(0).get("probability").asDouble(),
                dense.get("top").get(0).get("probability").asDouble(), 1e-6);
    }

    private static JsonNode predictJson(Path v, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("predict", v.toString(), "-m", model.toString(), "--json"));
        args.addAll(List.of(extra));
        Run r = tsm(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        return new ObjectMapper().readTree(r.out()).get("results").get(0);
    }

    @Test
    void predictFailuresAreOneLine() throws Exception {
        Run r = tsm("predict", dir.resolve("missing.mp4").toString(), "-m", model.toString());
        assertEquals(1, r.exit());
        assertEquals(List.of("tsm predict: video " + dir.resolve("missing.mp4") + " not found"), r.errLines());

        Path text = Files.writeString(dir.resolve("notamodel.zip"), "hello");
        r = tsm("predict", video.toString(), "-m", text.toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("tsm predict: cannot load model " + text + ": "), r.err());

        byte[] junk = new byte[4096];
        new Random(3).nextBytes(junk);
        Path corrupt = Files.write(dir.resolve("corrupt.zip"), junk);
        r = tsm("info", corrupt.toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("tsm info: cannot load model " + corrupt + ": "), r.err());

        Path notVideo = Files.writeString(dir.resolve("notes.mp4"), "not a video");
        r = tsm("predict", notVideo.toString(), "-m", model.toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("tsm predict: cannot read video " + notVideo + ": "), r.err());

        r = tsm("predict", video.toString(), "-m", model.toString(), "--crops", "5");
        assertEquals(2, r.exit());
        assertEquals("tsm: --crops must be 1, 3 or 10, found 5", r.errLines().get(0));
    }

    @Test
    void unknownModelFilesAreOneLineForPredictAndStreamAndVerboseAddsTheTrace() throws Exception {
        Path missing = dir.resolve("none.zip");
        for (String command : List.of("predict", "stream")) {
            Run r = tsm(command, video.toString(), "-m", missing.toString());
            assertEquals(1, r.exit(), command);
            assertEquals(List.of("tsm " + command + ": model " + missing + " not found"), r.errLines());

            // a DL4J model zip without the tsm4j entries
            Path plain = dir.resolve("plain-dl4j.zip");
            if (!Files.exists(plain)) {
                ModelSerializer.writeModel(TsmModel.load(model).graph(), plain.toFile(), false);
            }
            r = tsm(command, video.toString(), "-m", plain.toString());
            assertEquals(1, r.exit(), command);
            assertEquals(List.of("tsm " + command + ": cannot load model " + plain + ": Not a tsm4j model (no "
                    + "tsm4j-config.json / tsm4j-labels.json entries): " + plain), r.errLines());

            Path text = Files.writeString(dir.resolve("text-" + command + ".zip"), "hello");
            r = tsm(command, video.toString(), "-m", text.toString());
            assertEquals(1, r.exit(), command);
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().startsWith("tsm " + command + ": cannot load model " + text + ": "), r.err());
            assertTrue(!r.err().contains("\tat "), r.err());

            r = tsm(command, video.toString(), "-m", text.toString(), "-v");
            assertEquals(1, r.exit(), command);
            assertTrue(r.errLines().size() > 1 && r.err().contains("\tat io.github.tsm4j.examples.cli.Models.load"),
                    r.err());
        }
        // predict: a directory is not a video, a missing option is a usage error
        Run r = tsm("predict", dir.toString(), "-m", model.toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("tsm predict: "), r.err());
        r = tsm("predict", video.toString());
        assertEquals(2, r.exit());
        assertEquals("tsm: Missing required option: '--model=MODEL'", r.errLines().get(0));
    }

    @Test
    void infoShowsConfigLabelsTrainableParametersAndProvenance() {
        Run r = tsm("info", model.toString());
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        assertTrue(out.contains("  backbone: RESNET18"), out);
        assertTrue(out.contains("Labels: 3\n     0  left\n     1  right\n     2  still\n"), out);
        // ResNet-18 with stem width w and K classes: 2724·w² + 297·w + 8·w·K + K trainable parameters
        // (11,689,512 for w = 64, K = 1000 as torchvision); BatchNorm keeps 2 statistics per channel, 75·w channels
        assertTrue(out.contains("Parameters: 176,907 trainable (+ 1,200 BatchNorm running statistics)"), out);
        assertTrue(out.contains("Provenance:"), out);
    }

    @Test
    void infoShowsTheRecordedVersionsAndSourceAndSaysWhenAnOldFileHasNone() throws Exception {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("command", "tsm demo");
        source.put("dataset", Map.of("seed", 7));
        Path withSource = dir.resolve("with-source.zip");
        TsmModel.load(model).withSource(source).save(withSource, false);
        Run r = tsm("info", withSource.toString());
        assertEquals(0, r.exit(), r.err());
        String version = Provenance.libraryVersion();
        assertTrue(r.out().contains("Provenance:\n  saved: "), r.out());
        assertTrue(r.out().contains("\n  tsm4j: " + version + "\n  dl4j: 1.0.0-M2.1\n  nd4j: 1.0.0-M2.1\n  java: "
                + System.getProperty("java.version") + "\n  created: "), r.out());
        assertTrue(r.out().endsWith("\n  source:\n    command: tsm demo\n    dataset:\n      seed: 7\n  execution:\n"
                + "    layout: NHWC\n    convolution: NATIVE\n    batchNorm: NATIVE\n    shiftKernel: HOST\n    shiftThreads: 1\n"
                + "    streamingExecutor: BOUND\n    nativeGcBudgetMB: 256\n    nativeGcBudgetArrays: 250000\n"), r.out());

        JsonNode json = new ObjectMapper().readTree(tsm("info", withSource.toString(), "--json").out())
                .get("provenance").get(TsmModel.PROVENANCE_ENTRY);
        assertEquals(version, json.get("tsm4j").asText());
        assertEquals(7, json.get("source").get("dataset").get("seed").asInt());
        assertEquals("NATIVE", json.get("execution").get("convolution").asText());

        // a file written before tsm4j recorded provenance: configuration and labels only
        TsmModel m = TsmModel.load(model);
        Path old = dir.resolve("old.zip");
        ModelSerializer.writeModel(m.graph(), old.toFile(), false);
        ModelSerializer.addObjectToFile(old.toFile(), TsmModel.CONFIG_ENTRY, new ObjectMapper().writeValueAsString(m.config()));
        ModelSerializer.addObjectToFile(old.toFile(), TsmModel.LABELS_ENTRY, new ObjectMapper().writeValueAsString(m.labels()));
        r = tsm("info", old.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().endsWith("Provenance:\n  saved: " + r.out().lines().filter(l -> l.startsWith("  saved: "))
                .findFirst().orElseThrow().substring(9) + "\n  (no library version or source recorded in this file)\n"),
                r.out());
    }

    @Test
    void infoJsonParses() throws Exception {
        Run r = tsm("info", model.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(176_907, doc.get("trainableParameters").asLong());
        assertEquals(LABELS.size(), doc.get("labels").size());
        assertEquals(4, doc.get("config").get("input").get("segments").asInt());
    }

    @Test
    void streamRunsTheStreamingModelFrameByFrame() {
        Run r = tsm("stream", video.toString(), "-m", model.toString(), "--history", "3");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(7, lines.size(), r.out());
        for (int i = 0; i < 6; i++) {
            assertTrue(lines.get(i).matches("frame " + i + "  (left|right|still)  p=0\\.\\d{3}  .*"), lines.get(i));
        }
        assertTrue(lines.get(6).startsWith(video + ": 6 frames processed of 6 decoded, 0 dropped"), lines.get(6));
    }

    @Test
    void streamsOfOneModelFileKeepSeparateCaches() throws Exception {
        List<FrameModel> models = StreamingModels.open(model, 2);
        FrameModel alone = StreamingModels.open(model, 1).get(0);
        FramePreprocessor pre = new FramePreprocessor(models.get(0).inputSpec());
        Random rnd = new Random(5);
        INDArray in = Nd4j.create(DataType.FLOAT, 1, 3, 32, 32);
        for (int t = 0; t < 3; t++) {
            byte[] a = new byte[40 * 40 * 3];
            byte[] b = new byte[40 * 40 * 3];
            rnd.nextBytes(a);
            rnd.nextBytes(b);
            in.data().asNioFloat().put(0, pre.apply(new RgbFrame(t, 0, 40, 40, a)));
            float[] first = models.get(0).step(in);
            float[] reference = alone.step(in);
            in.data().asNioFloat().put(0, pre.apply(new RgbFrame(t, 0, 40, 40, b)));
            models.get(1).step(in); // another stream in between must not disturb the first one's caches
            assertArrayEquals(reference, first, 1e-6f, "frame " + t);
        }
    }
}
