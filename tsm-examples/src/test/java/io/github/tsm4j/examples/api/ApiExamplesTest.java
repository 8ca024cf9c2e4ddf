package io.github.tsm4j.examples.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.clip.ClipRequest;
import io.github.tsm4j.core.clip.DecodedClip;
import io.github.tsm4j.data.clip.VideoClipDecoder;
import io.github.tsm4j.data.stream.FrameSources;
import io.github.tsm4j.examples.TsmCli;
import io.github.tsm4j.examples.stream.TestVideos;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.Prediction;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.recognize.LabelChange;
import io.github.tsm4j.models.recognize.StreamListener;
import io.github.tsm4j.models.recognize.StreamOptions;
import io.github.tsm4j.models.recognize.StreamRecognizer;
import io.github.tsm4j.models.recognize.StreamReport;
import io.github.tsm4j.models.recognize.VideoResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

/** The three copyable examples run on a tiny model, and the library's results equal the CLI's. */
class ApiExamplesTest {
    private static final List<String> LABELS = List.of("left", "right", "still");

    @TempDir
    static Path dir;
    static Path model;
    static Path video;

    @BeforeAll
    static void tinyModelAndVideo() throws Exception {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, LABELS.size())
                .input(InputSpec.imageNet(4).withSize(32, 32)).baseWidth(8)
                .direction(ShiftDirection.UNIDIRECTIONAL).build();
        TsmModel m = TsmModel.create(config, LABELS);
        Nd4j.getRandom().setSeed(5); // a classifier that is not ~0: labels and probabilities differ visibly
        m.graph().getParam("fc_W").assign(Nd4j.randn(DataType.FLOAT, m.graph().getParam("fc_W").shape()).muli(30));
        model = dir.resolve("tiny.zip");
        m.save(model, false);
        video = TestVideos.write(dir.resolve("clip.mp4"), 48, 40, 12, 12,
                i -> new int[] {20 * i, 255 - 20 * i, (37 * i) % 256});
    }

    private static JsonNode predictJson(String... extra) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TsmCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("predict", video.toString(), "-m", model.toString(), "--json"));
        args.addAll(List.of(extra));
        assertEquals(0, cli.execute(args.toArray(String[]::new)), err.toString());
        return new ObjectMapper().readTree(out.toString()).get("results").get(0);
    }

    @Test
    void classifyVideoGivesTheTop5OfTheCliToTheLastDigit() throws Exception {
        VideoResult r = ClassifyVideo.run(model, video);
        assertTrue(r.ok());
        assertEquals(3, r.top().size(), "top 5 capped at 3 classes");
        assertEquals(List.of(1, 4, 7, 10), r.frameIndices(), "segment centres of 12 frames, T = 4");
        JsonNode cli = predictJson();
        for (int i = 0; i < 3; i++) {
            Prediction p = r.top().get(i);
            JsonNode e = cli.get("top").get(i);
            assertEquals(p.label(), e.get("label").asText());
            assertEquals(p.probability(), e.get("probability").asDouble(), 1e-6);
        }
        // and the same probabilities as decoding by hand and running the model's inference form
        DecodedClip clip = new VideoClipDecoder().decode(video, ClipRequest.singleView(
                TsmModel.load(model).config().input()));
        float[] p = TsmModel.load(model).forInference().output(Nd4j.create(clip.pixels(),
                new long[] {4, 3, 32, 32}, DataType.FLOAT)).toFloatVector();
        for (Prediction pr : r.top()) {
            assertEquals(p[pr.index()], pr.probability(), 1e-5, pr.label());
        }
    }

    @Test
    void classifyVideoIsShortEnoughForTheReadme() throws Exception {
        // the README shows ClassifyVideo.run: at most 15 lines from the signature to its closing brace
        List<String> lines = Files.readAllLines(source("ClassifyVideo"));
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("public static VideoResult run(")) {
                start = i;
            }
            if (start >= 0 && end < 0 && i > start && lines.get(i).equals("    }")) {
                end = i;
            }
        }
        assertTrue(start > 0 && end - start + 1 <= 15, "lines " + start + ".." + end);
    }

    @Test
    void examplesUseOnlyTheLibrary() throws Exception {
        Pattern imports = Pattern.compile("^import (static )?(io\\.github\\.tsm4j\\.[a-z]+)", Pattern.MULTILINE);
        for (String name : List.of("ClassifyVideo", "StreamVideo", "ShiftInYourOwnGraph")) {
            Matcher m = imports.matcher(Files.readString(source(name)));
            while (m.find()) {
                assertFalse(m.group(2).equals("io.github.tsm4j.examples"), name + " imports " + m.group(2));
            }
        }
    }

    private static Path source(String name) {
        return Path.of("src/main/java/io/github/tsm4j/examples/api/" + name + ".java");
    }

    @Test
    void streamVideoReportsTheLabelChangesOfTheRecognizer() throws Exception {
        List<LabelChange> changes = StreamVideo.run(model, video.toString(), 1);
        assertFalse(changes.isEmpty());
        assertEquals(0, changes.get(0).frameIndex());
        assertEquals(null, changes.get(0).previous());
        // every frame's raw label, as an offline (not paced, nothing dropped) run sees them
        TsmModel m = TsmModel.load(model);
        List<String> labels;
        try (StreamRecognizer r = StreamRecognizer.of(m, 1, StreamOptions.defaults())) {
            StreamReport report = r.run(FrameSources.create(video.toString(), m.config().input()),
                    new StreamListener() { });
            assertEquals(12, report.processed());
            labels = report.labels();
        }
        List<Long> expectedAt = new ArrayList<>();
        String previous = null;
        for (int i = 0; i < labels.size(); i++) {
            if (!labels.get(i).equals(previous)) {
                expectedAt.add((long) i);
                previous = labels.get(i);
            }
        }
        assertEquals(expectedAt, changes.stream().map(LabelChange::frameIndex).toList(),
                "labels " + labels + " (a 12-fps file paced in real time: this model keeps up)");
        for (LabelChange c : changes) {
            assertEquals(labels.get((int) c.frameIndex()), c.label());
        }
    }

    @Test
    void aTemporalShiftInYourOwnGraphTrains() {
        ShiftInYourOwnGraph.Result r = ShiftInYourOwnGraph.run(4, 2, 16, 3, 7);
        // conv1 3·3·3·16 + 16, conv2 3·3·16·16 + 16, fc 16·3 + 3: the shift and the consensus add none
        assertEquals(3 * 3 * 3 * 16 + 16 + 3 * 3 * 16 * 16 + 16 + 16 * 3 + 3, r.parameters());
        assertTrue(r.after() < r.before(), r.before() + " -> " + r.after());
    }
}
