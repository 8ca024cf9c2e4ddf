package io.github.tsm4j.examples.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.importer.CheckpointImporter;
import io.github.tsm4j.models.importer.ImportOptions;
import io.github.tsm4j.models.importer.KeyLayout;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.recognize.ScoreAveraging;
import io.github.tsm4j.models.recognize.VideoRecognizer;
import io.github.tsm4j.models.recognize.VideoResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same video in, same scores out: an official-format TSM checkpoint ({@code scripts/make_pipeline_logits_fixtures.py}:
 * narrow TSM-ResNet18, 4 segments, input 16, scale 18) imported with {@link CheckpointImporter} and run through
 * {@link VideoRecognizer} on the frame folders of {@code scripts/make_pipeline_fixtures.py} gives the per-video
 * scores of the official {@code test_models.py} pipeline (raw scores averaged over clips × crops) at the float32
 * floor, with the same frame indices and the same top-1: 1 clip 1 crop, twice sampling 3 crops, {@code --full_res}
 * 3 crops. From the video file, the official pipeline ran on ffmpeg's lossless PNG extraction of it, tsm4j decodes
 * the file itself: the same frame indices and the same bound.
 */
class PipelineLogitsParityTest {
    /**
     * Bound on max|tsm4j − official| / max|official| per case: float32 rounding (different summation orders in the
     * convolutions, folded BatchNorm, the view average). Measured 4.5e-7 to 1.8e-6 over the frame-folder cases and
     * 6.3e-7 to 1.3e-6 from the video file (whose decoded pixels at these frames equal the PNG extraction's).
     */
    static final double FLOAT_FLOOR = 1e-5;

    private static final Path FRAMES = Path.of("../tsm-data/src/test/resources/official-pipeline");

    @TempDir
    Path tmp;

    @Test
    void videoRecognizerScoresEqualTheOfficialTestPipelineAtTheFloatFloor() throws IOException {
        JsonNode index;
        try (InputStream in = getClass().getResourceAsStream("/pipeline-logits/scores.json")) {
            index = new ObjectMapper().readTree(in);
        }
        String name = index.get("checkpoint").asText();
        Path ckpt = tmp.resolve(name);
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/pipeline-logits/" + name + ".gz"))) {
            Files.copy(in, ckpt);
        }
        int classes = index.get("classes").asInt();
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            labels.add("class" + k);
        }
        var imported = CheckpointImporter.importFile(ckpt, ImportOptions.defaults()
                .inputSize(index.get("input_size").asInt(), index.get("scale_size").asInt()).labels(labels));
        assertEquals(KeyLayout.OFFICIAL_TSM, imported.layout());
        TsmModel model = imported.model();
        assertEquals(index.get("segments").asInt(), model.config().input().segments());

        double worstFolder = 0;
        double worstVideo = 0;
        int folders = 0;
        int videos = 0;
        for (JsonNode c : index.get("cases")) {
            boolean video = c.has("video");
            Path source = video ? copy(c.get("video").asText()) : copy(c.get("folder").asText());
            RecognitionOptions options = RecognitionOptions.builder()
                    .sampling(c.get("twice").asBoolean() ? SamplingMode.TWICE : SamplingMode.UNIFORM)
                    .crops(c.get("crops").asInt()).fullResolution(c.get("full_res").asBoolean()).top(classes).build();
            assertEquals(ScoreAveraging.RAW_SCORES, options.averaging(), "the official default");
            VideoResult r;
            try (VideoRecognizer recognizer = VideoRecognizer.of(model, options)) {
                r = recognizer.classify(source);
            }
            String what = source.getFileName() + " " + c.get("crops") + " crops" + (c.get("twice").asBoolean() ? " twice" : "")
                    + (c.get("full_res").asBoolean() ? " full_res" : "");
            assertTrue(r.ok(), what + ": " + r.failure());
            assertEquals(c.get("views").asInt(), r.views(), what);
            List<Integer> indices = new ArrayList<>();
            c.get("indices").forEach(i -> indices.add(i.asInt()));
            assertEquals(indices, r.frameIndices(), what);
            double largest = 0;
            double diff = 0;
            for (int k = 0; k < classes; k++) {
                double official = c.get("scores").get(k).asDouble();
                largest = Math.max(largest, Math.abs(official));
                diff = Math.max(diff, Math.abs(official - r.scores().get(k)));
            }
            double relative = diff / largest;
            System.out.printf("%s: %d views, max |Δscore| %.3g, relative to the largest score %.3g%n", what, r.views(),
                    diff, relative);
            assertTrue(relative <= FLOAT_FLOOR, what + ": relative residual " + relative);
            assertEquals(c.get("top1").asInt(), r.best().orElseThrow().index(), what + ": top-1");
            if (video) {
                worstVideo = Math.max(worstVideo, relative);
                videos++;
            } else {
                worstFolder = Math.max(worstFolder, relative);
                folders++;
            }
        }
        assertEquals(6, folders);
        assertEquals(2, videos);
        System.out.printf("worst relative residual: frame folders %.3g, video file %.3g%n", worstFolder, worstVideo);
    }

    /** Copies a frame folder or the video of the tsm-data fixtures into the temporary folder (once). */
    private Path copy(String name) throws IOException {
        Path to = tmp.resolve(name);
        if (Files.exists(to)) {
            return to;
        }
        Path from = FRAMES.resolve(name);
        if (Files.isDirectory(from)) {
            Files.createDirectories(to);
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : files.toList()) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        } else {
            Files.copy(from, to);
        }
        return to;
    }
}
