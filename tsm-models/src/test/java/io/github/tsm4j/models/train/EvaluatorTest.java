package io.github.tsm4j.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.github.tsm4j.models.recognize.ScoreAveraging;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {

    /**
     * Six videos, K = 6. Hand computation:
     * v1 (label 0): one view, argmax 0 → top-1 hit.
     * v2 (label 1): views [.1,.6,...] and [.1,.0,.7,...] average to class 2 (.35) over class 1 (.3) → miss,
     *    label is 2nd → top-5 hit.
     * v3 (label 2): argmax 2 → hit.
     * v4 (label 2): label has the lowest score (6th) → top-1 and top-5 miss; predicted 0.
     * v5 (label 3): argmax 3 → hit.
     * v6 (label 3): argmax 4, label 3rd → top-5 hit.
     * top-1 = 3/6, top-5 = 5/6; per class: c0 1/1, c1 0/1, c2 1/2, c3 1/2 → mean (1 + 0 + .5 + .5)/4 = .5.
     */
    @Test
    void metricsEqualHandComputedValuesAndViewsAreAveragedBeforeArgmax() {
        Evaluator e = new Evaluator(6);
        e.add("v1", 0, new double[] {.5, .1, .1, .1, .1, .1});
        e.add("v2", 1, new double[] {.1, .6, .0, .1, .1, .1});
        e.add("v3", 2, new double[] {.1, .1, .5, .1, .1, .1});
        e.add("v2", 1, new double[] {.1, .0, .7, .0, .1, .1});
        e.add("v4", 2, new double[] {.3, .2, .0, .2, .2, .1});
        e.add("v5", 3, new double[] {.0, .0, .0, 1., .0, .0});
        e.add("v6", 3, new double[] {.1, .1, .0, .2, .5, .1});
        EvaluationResult r = e.result(List.of("a", "b", "c", "d", "e", "f"));
        assertEquals(6, r.videos());
        assertEquals(3 / 6.0, r.top1(), 1e-12);
        assertEquals(5 / 6.0, r.top5(), 1e-12);
        assertEquals(0.5, r.meanClassAccuracy(), 1e-12);
        assertArrayEquals(new long[] {1, 0, 0, 0, 0, 0}, r.confusion()[0]);
        assertArrayEquals(new long[] {0, 0, 1, 0, 0, 0}, r.confusion()[1]);
        assertArrayEquals(new long[] {1, 0, 1, 0, 0, 0}, r.confusion()[2]);
        assertArrayEquals(new long[] {0, 0, 0, 1, 1, 0}, r.confusion()[3]);
        VideoPrediction v2 = r.predictions().get(1);
        assertEquals("v2", v2.videoId());
        assertEquals(2, v2.views());
        assertEquals(2, v2.predicted());
        // raw-score averaging: the mean of the views' scores, reported through a softmax
        double[] mean = {.1, .3, .35, .05, .1, .1};
        double[] expected = ScoreAveraging.softmax(mean);
        for (int c = 0; c < 6; c++) {
            assertEquals(expected[c], v2.scores().get(c), 1e-7, "class " + c);
        }
    }

    @Test
    void rawScoresAndProbabilitiesCanRankDifferentlyAsInTheOfficialCode() {
        // one confident view for class 0 against two moderate ones for class 2 (test_models.py without --softmax
        // averages raw scores; with --softmax, probabilities)
        double[] v1 = {10, 0, 4.5};
        double[] v2 = {-2, 0, 4.5};
        Evaluator raw = new Evaluator(3);
        Evaluator prob = new Evaluator(3, ScoreAveraging.PROBABILITIES);
        for (Evaluator e : List.of(raw, prob)) {
            e.add("v", 0, v1);
            e.add("v", 0, v2);
        }
        assertEquals(2, raw.result(null).predictions().get(0).predicted());
        assertEquals(0, prob.result(null).predictions().get(0).predicted());
        double[] p1 = ScoreAveraging.softmax(v1);
        double[] p2 = ScoreAveraging.softmax(v2);
        assertEquals((p1[0] + p2[0]) / 2, prob.result(null).predictions().get(0).scores().get(0), 1e-7);
    }

    @Test
    void predictionsCsvHasOneRowPerVideo(@TempDir Path dir) throws Exception {
        Evaluator e = new Evaluator(2);
        e.add("clip,1", 0, new double[] {.75, .25});
        e.add("clip2", 1, new double[] {.75, .25});
        Path csv = dir.resolve("p.csv");
        e.result(List.of("left", "right")).writePredictionsCsv(csv);
        assertEquals(List.of("video,label,predicted,correct,score,views,top5",
                "\"clip,1\",left,left,1,0.622459,1,left|right",
                "clip2,right,left,0,0.622459,1,left|right"), Files.readAllLines(csv));
    }

    @Test
    void rejectsScoresOfTheWrongLength() {
        Evaluator e = new Evaluator(3);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> e.add("v", 0, new double[] {1, 0}));
        assertEquals("Evaluator scores for video 'v' have length 2, expected K = 3", ex.getMessage());
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        double[] p = Evaluator.softmax(new double[] {1000, 1000 + Math.log(3)});
        assertEquals(0.25, p[0], 1e-12);
        assertEquals(0.75, p[1], 1e-12);
    }

    /**
     * The model overload runs the model's logits — for an inference form the bound executor — and gives the same
     * per-video scores and metrics as the graph overload on the same network (the graph path of DL4J).
     */
    @Test
    void theModelOverloadEqualsTheGraphOverload() {
        io.github.tsm4j.models.TsmConfig config = io.github.tsm4j.models.TsmConfig.builder(
                io.github.tsm4j.models.Backbone.RESNET18, 3).segments(2).inputSize(16, 16).baseWidth(8).build();
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(4);
        io.github.tsm4j.models.TsmModel model = io.github.tsm4j.models.TsmModel.create(config,
                TinyNets.labels(3));
        model.graph().getLayer(io.github.tsm4j.models.TsmNetworks.FC).getParam("W").assign(
                org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 512 / 8, 3));
        io.github.tsm4j.models.TsmModel inference = model.forInference();
        java.util.List<org.nd4j.linalg.dataset.DataSet> data = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            org.nd4j.linalg.api.ndarray.INDArray label = org.nd4j.linalg.factory.Nd4j.zeros(
                    org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3);
            label.putScalar(0, i % 3, 1);
            data.add(new org.nd4j.linalg.dataset.DataSet(org.nd4j.linalg.factory.Nd4j.randn(
                    org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, 16, 16), label));
        }
        EvaluationResult viaGraph = Evaluator.evaluate(inference.graph(), TinyNets.iterator(data, 3), 1,
                inference.labels());
        EvaluationResult viaModel = Evaluator.evaluate(inference, TinyNets.iterator(data, 3), 1);
        assertEquals(7, viaModel.videos());
        assertEquals(viaGraph.top1(), viaModel.top1(), 1e-12);
        assertEquals(viaGraph.top5(), viaModel.top5(), 1e-12);
        for (int v = 0; v < 7; v++) {
            VideoPrediction a = viaGraph.predictions().get(v);
            VideoPrediction b = viaModel.predictions().get(v);
            assertEquals(a.videoId(), b.videoId());
            assertEquals(a.predicted(), b.predicted());
            for (int k = 0; k < 3; k++) {
                assertEquals(a.scores().get(k), b.scores().get(k), 1e-5 * Math.max(1, Math.abs(a.scores().get(k))));
            }
        }
        assertEquals(true, inference.executionPath().startsWith("bound executor: "), inference.executionPath());
    }
}
