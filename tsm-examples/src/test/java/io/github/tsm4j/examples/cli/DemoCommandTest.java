package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.train.EvaluationResult;
import io.github.tsm4j.models.train.LrPolicy;
import io.github.tsm4j.models.train.TrainingRecipe;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.core.clip.TestCrop;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo, train and eval commands on a tiny budget: they finish and report complete results. */
class DemoCommandTest {

    @Test
    void demoOnATinyBudgetReportsBothModelsPlotsAndAStreamedClip(@TempDir Path dir) throws Exception {
        StringWriter text = new StringWriter();
        DemoCommand.Options o = new DemoCommand.Options(dir, 3, 2, 1, 16, 4, 1, 6, 0.05, 8, 8, 1, null);
        DemoCommand.DemoResult r = DemoCommand.run(o, new PrintWriter(text, true));

        assertEquals(6, r.classes().size());
        assertEquals(1 / 6.0, r.chance(), 1e-12);
        assertEquals(ShiftPlacement.NONE, r.tsn().placement());
        assertEquals(ShiftPlacement.RESIDUAL, r.tsm().placement());
        assertEquals(r.tsn().trainableParams(), r.tsm().trainableParams(), "the shift adds no parameters");
        for (DemoCommand.ModelReport m : List.of(r.tsn(), r.tsm())) {
            assertEquals(1, m.history().size());
            assertReportIsTheValidationPredictions(m, 6);
            assertEquals(m.top1(), m.history().get(0).valTop1(), 1e-12, "the report and the log agree");
            assertEquals(6, TsmModel.load(m.checkpoint()).labels().size());
            assertPng(m.checkpoint().resolveSibling(TrainingPlots.CONFUSION));
            assertEquals(m.history(), io.github.tsm4j.models.train.Trainer.readLog(m.checkpoint().resolveSibling("training.jsonl")));
        }
        assertPng(dir.resolve(TrainingPlots.CURVES));
        assertEquals(4, r.stream().size(), "one prediction per streamed frame");

        // --save-model: a plain model zip whose provenance names the demo's data, recipe and epoch
        Path saved = dir.resolve("saved/tsm.zip");
        DemoCommand.saveModel(r.tsm().checkpoint(), saved);
        TsmModel model = TsmModel.load(saved);
        assertEquals(ShiftPlacement.RESIDUAL, model.config().placement());
        try (var zip = new java.util.zip.ZipFile(saved.toFile())) {
            assertEquals(null, zip.getEntry("updaterState.bin"), "no optimizer state in the saved model");
            assertTrue(zip.getEntry("updaterState.bin") == null && zip.getEntry("objects/tsm4j-provenance.json") != null);
        }
        var source = model.provenance().orElseThrow().source();
        assertEquals("tsm demo", source.get("command"));
        assertEquals(Map.of("generator", "TemporalOrderDataset", "seed", 3, "trainClips", 12, "validationClips", 6,
                "frames", 4, "size", 16, "folder", dir.resolve("data").toString()), source.get("dataset"));
        assertEquals(1, source.get("epoch"));
        assertEquals(1, source.get("epochs"));
        assertTrue(text.toString().contains("TSM   RESIDUAL"), text.toString());

        // the time split covers every phase; side by side, the trainings overlap
        DemoCommand.Timings t = r.timings();
        for (double phase : new double[] {t.generate(), t.decode(), t.tsnTrain(), t.tsmTrain(), t.training(), t.eval(),
            t.stream()}) {
            assertTrue(phase > 0, t.toString());
        }
        assertTrue(t.training() >= Math.max(t.tsnTrain(), t.tsmTrain()) && t.training() < t.tsnTrain() + t.tsmTrain(),
                t.toString());
        assertTrue(t.generate() + t.decode() + t.training() + t.eval() + t.stream() <= r.seconds(), t.toString());
        assertTrue(text.toString().contains(String.format(java.util.Locale.ROOT,
                "time split: generate %.1f s, decode %.1f s, TSN train %.1f s, TSM train %.1f s (side by side: %.1f s), "
                        + "eval %.1f s, stream %.1f s", t.generate(), t.decode(), t.tsnTrain(), t.tsmTrain(),
                t.training(), t.eval(), t.stream())), text.toString());

        // side by side on two threads trains exactly what one after the other does
        DemoCommand.Options sequential = new DemoCommand.Options(dir.resolve("sequential"), 3, 2, 1, 16, 4, 1, 6, 0.05,
                8, 8, 1, null, org.deeplearning4j.nn.conf.CNN2DFormat.NCHW, false);
        DemoCommand.DemoResult s = DemoCommand.run(sequential, new PrintWriter(new StringWriter(), true));
        for (int i = 0; i < 2; i++) {
            DemoCommand.ModelReport a = List.of(r.tsn(), r.tsm()).get(i);
            DemoCommand.ModelReport b = List.of(s.tsn(), s.tsm()).get(i);
            assertEquals(a.history().stream().map(e -> List.of(e.loss(), e.trainAccuracy(), e.valTop1())).toList(),
                    b.history().stream().map(e -> List.of(e.loss(), e.trainAccuracy(), e.valTop1())).toList(), a.name());
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    TsmModel.load(a.checkpoint()).graph().params().toFloatVector(),
                    TsmModel.load(b.checkpoint()).graph().params().toFloatVector(), 0f, a.name());
        }
        assertEquals(r.stream(), s.stream());
    }

    /** top-1 and top-5 are the fractions of predictions.csv's rows that are correct / have the label in top5. */
    static void assertReportIsTheValidationPredictions(DemoCommand.ModelReport m, int videos) throws Exception {
        List<String> rows = Files.readAllLines(m.checkpoint().resolveSibling("predictions.csv"));
        assertEquals("video,label,predicted,correct,score,views,top5", rows.get(0));
        assertEquals(videos, rows.size() - 1, "one row per validation video");
        int correct = 0;
        int inTop5 = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            assertEquals(f[1].equals(f[2]) ? "1" : "0", f[3], row);
            correct += Integer.parseInt(f[3]);
            inTop5 += List.of(f[6].split("\\|")).contains(f[1]) ? 1 : 0;
        }
        assertEquals(correct / (double) videos, m.top1(), 1e-12, m.toString());
        assertEquals(inTop5 / (double) videos, m.top5(), 1e-12, m.toString());
    }

    /** A PNG file that decodes to a non-empty image. */
    static void assertPng(Path file) throws Exception {
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(file), 8);
        assertEquals(java.util.List.of((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G'),
                java.util.List.of(head[0], head[1], head[2], head[3]), file + " is not a PNG");
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(file.toFile());
        assertTrue(image != null && image.getWidth() > 100 && image.getHeight() > 100, file + " does not decode to a plot");
    }

    @Test
    void demoInNhwcTrainsWithTheNativeBatchNormAndStreams(@TempDir Path dir) throws Exception {
        DemoCommand.Options o = new DemoCommand.Options(dir, 3, 2, 1, 16, 4, 1, 6, 0.05, 8, 8, 1, null,
                org.deeplearning4j.nn.conf.CNN2DFormat.NHWC);
        DemoCommand.DemoResult r = DemoCommand.run(o, new PrintWriter(new StringWriter(), true));
        TsmModel tsm = TsmModel.load(r.tsm().checkpoint());
        assertEquals(org.deeplearning4j.nn.conf.CNN2DFormat.NHWC, tsm.config().dataFormat());
        long nativeBn = java.util.Arrays.stream(tsm.graph().getLayers())
                .filter(l -> l.conf().getLayer() instanceof io.github.tsm4j.core.norm.NativeBatchNorm).count();
        assertEquals(20, nativeBn, "every BatchNorm of ResNet-18 (stem + 16 in blocks + 3 downsample) is native");
        assertEquals(r.tsn().trainableParams(), r.tsm().trainableParams());
        assertEquals(4, r.stream().size(), "one prediction per streamed frame");
    }

    @Test
    void trainAndEvalRunOnAGeneratedDataset(@TempDir Path dir) throws Exception {
        TemporalOrderDataset.Layout data = TemporalOrderDataset.builder().trainPerClass(1).validationPerClass(1)
                .frames(4).size(16).seed(5).generate(dir.resolve("data"));
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, 1).segments(4).inputSize(16, 16).baseWidth(8)
                .direction(ShiftDirection.BIDIRECTIONAL).build();
        TrainingRecipe recipe = TrainingRecipe.builder().epochs(2).batchSize(3).learningRate(0.01)
                .referenceBatchSize(3).lrPolicy(LrPolicy.COSINE).lrSteps(List.of()).build();
        Path out = dir.resolve("run");
        StringWriter text = new StringWriter();
        TrainCommand.Options first = new TrainCommand.Options(data.labelsJson(), data.videoDir(), data.trainJson(),
                data.validationJson(), out, null, config, null, recipe.toBuilder().epochs(2).build(), 1, null);
        TrainCommand.Result r = TrainCommand.run(first, new PrintWriter(text, true));
        assertEquals(2, r.history().size());
        var provenance = TsmModel.load(r.checkpoint()).provenance().orElseThrow();
        assertEquals(io.github.tsm4j.models.Provenance.libraryVersion(), provenance.tsm4jVersion());
        assertEquals(2, provenance.source().get("epoch"), "the trainer records the epoch of every checkpoint");
        assertEquals(2, provenance.source().get("epochs"));
        assertEquals(0.01, ((Map<?, ?>) provenance.source().get("recipe")).get("learningRate"));
        assertTrue(Files.exists(out.resolve(TrainingPlots.CURVES)));

        EvaluationResult e = EvalCommand.run(new EvalCommand.Options(r.checkpoint(), data.validation(),
                SamplingMode.TWICE, 0, TestCrop.THREE, 2, 1, dir.resolve("eval")), new PrintWriter(text, true));
        assertEquals(6, e.videos());
        assertEquals(6, e.predictions().get(0).views(), "twice × 3 crops averaged per video");
        assertEquals(7, Files.readAllLines(dir.resolve("eval/predictions.csv")).size());
    }
}
