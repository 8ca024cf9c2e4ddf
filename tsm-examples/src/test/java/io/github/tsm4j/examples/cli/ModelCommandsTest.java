package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.examples.TsmCli;
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
@Timeout(300) // a hang guard, not a time limit
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
        TsmModel created = TsmModel.create(config, LABELS);
        randomizeClassifier(created, 21);
        created.save(model, false);
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

    /**
     * The classifier at unit scale instead of N(0, 0.001), so that the three probabilities are distinct and a
     * wrong input, crop or class order shows in the printed values.
     */
    static void randomizeClassifier(TsmModel m, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray w = m.graph().getLayer("fc").getParam("W");
        w.assign(Nd4j.randn(DataType.FLOAT, w.shape()).muli(2 / Math.sqrt(w.size(0))));
        INDArray b = m.graph().getLayer("fc").getParam("b");
        b.assign(Nd4j.randn(DataType.FLOAT, b.shape()).muli(0.5));
    }

    /** The library's probabilities for {@code v}: one uniform clip, centre crop, the folded inference form. */
    static double[] libraryProbabilities(Path v) throws Exception {
        TsmModel m = TsmModel.load(model);
        INDArray clip = io.github.tsm4j.data.iterator.ClipLoader.forTest(m.config().input()).loadTensor(v, null);
        return m.forInference().output(clip).toDoubleVector();
    }

    /** The classes by decreasing probability. */
    static List<Integer> ranking(double[] p) {
        return java.util.stream.IntStream.range(0, p.length).boxed()
                .sorted((a, b) -> Double.compare(p[b], p[a])).toList();
    }

    /**
     * What the streaming model gives for each decoded frame of {@code v} (softmax of its logits), the frames
     * preprocessed as the stream command does.
     */
    static List<double[]> libraryStreamProbabilities(Path v) throws Exception {
        TsmModel m = TsmModel.load(model);
        io.github.tsm4j.models.TsmStreamingModel stream = io.github.tsm4j.models.TsmStreamingModel.of(m, 1);
        int side = m.config().input().cropSize();
        List<double[]> out = new ArrayList<>();
        try (io.github.tsm4j.core.stream.FrameSource source =
                io.github.tsm4j.data.stream.FrameSources.create(v.toString(), m.config().input())) {
            source.open();
            io.github.tsm4j.core.stream.SourceFrame f;
            while ((f = source.next()) != null) {
                INDArray x = Nd4j.create(f.input(), new long[] {1, 3, side, side}, 'c');
                double[] logits = stream.step(x).toDoubleVector();
                double max = java.util.Arrays.stream(logits).max().orElseThrow();
                double[] e = java.util.Arrays.stream(logits).map(z -> Math.exp(z - max)).toArray();
                double sum = java.util.Arrays.stream(e).sum();
                out.add(java.util.Arrays.stream(e).map(z -> z / sum).toArray());
            }
        }
        return out;
    }

    @Test
    void predictPrintsTopKPerVideo() throws Exception {
        Run r = tsm("predict", video.toString(), video.toString(), "-m", model.toString(), "--top", "2");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(6, lines.size(), r.out());
        assertEquals(video + "  (1 clip x 1 crop, 4 frames each)", lines.get(0));
        double[] expected = libraryProbabilities(video);
        List<Integer> rank = ranking(expected);
        for (int i = 0; i < 2; i++) { // top-2 of 3 classes: the two most probable, in order, with their values
            String[] f = lines.get(1 + i).trim().split(" +");
            assertEquals(List.of(String.valueOf(i + 1), LABELS.get(rank.get(i))), List.of(f[0], f[2]), lines.get(1 + i));
            assertEquals(expected[rank.get(i)], Double.parseDouble(f[1]), 5e-5 + 1e-6, lines.get(1 + i));
        }
        assertEquals(lines.subList(0, 3), lines.subList(3, 6), "the same video twice");
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
        double[] expected = libraryProbabilities(video);
        List<Integer> rank = ranking(expected);
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, top.get(i).get("rank").asInt());
            assertEquals(rank.get(i), top.get(i).get("index").asInt(), "rank " + (i + 1));
            assertEquals(LABELS.get(top.get(i).get("index").asInt()), top.get(i).get("label").asText());
            assertEquals(expected[rank.get(i)], top.get(i).get("probability").asDouble(), 1e-6,
                    "the library's probability for the same clip");
        }
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
        assertEquals("tsm: Error: Missing required argument (specify one of these): (-m=MODEL | --pretrained=ID)",
                r.errLines().get(0));
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
    void predictPretrainedNamesCloseMatchesOfAnUnknownIdAndNeedsExactlyOneModel() {
        Run r = tsm("predict", video.toString(), "--pretrained", "tsm-r50-kinetics400-8", "--cache",
                dir.resolve("cache").toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("tsm predict: unknown model 'tsm-r50-kinetics400-8'; close matches: "
                + "tsm-r50-kinetics400-8f"), r.err());
        r = tsm("predict", video.toString(), "--pretrained", "x", "-m", model.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("mutually exclusive"), r.err());
    }

    @Test
    void streamPrintsTheStreamingModelsLabelAndProbabilityForEachFrame() throws Exception {
        Run r = tsm("stream", video.toString(), "-m", model.toString(), "--history", "1");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        List<double[]> expected = libraryStreamProbabilities(video);
        assertEquals(6, expected.size());
        assertEquals(7, lines.size(), r.out());
        for (int i = 0; i < 6; i++) {
            String[] f = lines.get(i).split(" +");
            int label = ranking(expected.get(i)).get(0);
            assertEquals(List.of("frame", String.valueOf(i), LABELS.get(label)), List.of(f[0], f[1], f[2]), lines.get(i));
            // printed with 3 decimals: equal within the rounding and 1e-6
            assertEquals(expected.get(i)[label], Double.parseDouble(f[3].substring(2)), 5e-4 + 1e-6, lines.get(i));
        }
    }
}
