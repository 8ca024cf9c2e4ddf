package io.github.tsm4j.models.recognize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.clip.ClipDecoder;
import io.github.tsm4j.core.clip.ClipRequest;
import io.github.tsm4j.core.clip.DecodedClip;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.core.clip.TestCrop;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.Prediction;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class VideoRecognizerTest {
    private static final List<String> LABELS = List.of("a", "b", "c", "d", "e");
    private static TsmModel model;

    @BeforeAll
    static void tinyModel() {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, 5).segments(2).inputSize(32, 40).baseWidth(8)
                .build();
        model = TsmModel.create(config, LABELS);
        Nd4j.getRandom().setSeed(3);
        model.graph().getParam("fc_W").assign(Nd4j.randn(DataType.FLOAT, model.graph().getParam("fc_W").shape()));
    }

    /** Random views seeded by the video's name; a name starting with "bad" fails like an unreadable file. */
    private static final class FakeDecoder implements ClipDecoder {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public DecodedClip decode(Path video, ClipRequest request) throws IOException {
            calls.incrementAndGet();
            String name = video.getFileName().toString();
            if (name.startsWith("bad")) {
                throw new IOException("cannot read video " + video + ": no decodable frames");
            }
            int side = request.viewSize();
            int t = request.spec().segments();
            int frames = request.crops().views() * request.clips() * t;
            float[] px = new float[frames * 3 * side * side];
            SplittableRandom rnd = new SplittableRandom(name.hashCode());
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) rnd.nextGaussian();
            }
            int[] idx = new int[request.clips() * t];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = 3 * i + 1;
            }
            double[] ts = Arrays.stream(idx).mapToDouble(i -> i / 25.0).toArray();
            return new DecodedClip(px, request.crops().views(), request.clips(), t, side, 60, idx, ts);
        }
    }

    /** The raw consensus logits of every view, computed directly with the model's inference form. */
    private static float[][] viewLogits(DecodedClip clip) {
        int s = clip.side();
        INDArray x = Nd4j.create(clip.pixels(), new long[] {(long) clip.views() * clip.segments(), 3, s, s},
                DataType.FLOAT);
        return model.forInference().logits(x).toFloatMatrix();
    }

    @Test
    void classifyAveragesRawScoresOverEveryViewAndRanksTopK() throws IOException {
        FakeDecoder decoder = new FakeDecoder();
        RecognitionOptions options = RecognitionOptions.builder().sampling(SamplingMode.TWICE).crops(3).top(3)
                .batch(4).build();
        VideoResult r;
        try (VideoRecognizer recognizer = VideoRecognizer.of(model, options, decoder)) {
            r = recognizer.classify(Path.of("v1.mp4"));
        }
        DecodedClip clip = decoder.decode(Path.of("v1.mp4"), options.request(model.config().input()));
        float[][] logits = viewLogits(clip);
        assertEquals(6, logits.length, "2 clips x 3 crops");
        double[] mean = new double[5];
        for (float[] row : logits) {
            for (int j = 0; j < 5; j++) {
                mean[j] += row[j] / 6.0;
            }
        }
        for (int j = 0; j < 5; j++) {
            assertEquals(mean[j], r.scores().get(j), 1e-4 * Arrays.stream(mean).map(Math::abs).max().orElseThrow(),
                    "class " + j);
        }
        double[] p = ScoreAveraging.softmax(mean);
        int[] order = TopK.order(p);
        assertEquals(3, r.top().size());
        for (int i = 0; i < 3; i++) {
            Prediction pr = r.top().get(i);
            assertEquals(order[i], pr.index());
            assertEquals(LABELS.get(order[i]), pr.label());
            assertEquals(p[order[i]], pr.probability(), 1e-5);
        }
        assertEquals(2, r.clips());
        assertEquals(3, r.crops());
        assertEquals(6, r.views());
        assertEquals(List.of(1, 4, 7, 10), r.frameIndices());
        assertEquals(1 / 25.0, r.timestampsSeconds().get(0), 1e-12);
        assertEquals(60, r.frameCount());
        assertTrue(r.ok());
    }

    @Test
    void probabilityAveragingAveragesTheViewsSoftmax() throws IOException {
        FakeDecoder decoder = new FakeDecoder();
        RecognitionOptions options = RecognitionOptions.builder().crops(10).averaging(ScoreAveraging.PROBABILITIES)
                .top(5).build();
        VideoResult r;
        try (VideoRecognizer recognizer = VideoRecognizer.of(model, options, decoder)) {
            r = recognizer.classify(Path.of("v2.mp4"));
        }
        float[][] logits = viewLogits(decoder.decode(Path.of("v2.mp4"), options.request(model.config().input())));
        double[] mean = new double[5];
        for (float[] row : logits) {
            double[] p = ScoreAveraging.softmax(new double[] {row[0], row[1], row[2], row[3], row[4]});
            for (int j = 0; j < 5; j++) {
                mean[j] += p[j] / logits.length;
            }
        }
        for (Prediction pr : r.top()) {
            assertEquals(mean[pr.index()], pr.probability(), 1e-5, pr.label());
        }
        assertEquals(1.0, r.top().stream().mapToDouble(Prediction::probability).sum(), 1e-6);
    }

    @Test
    void fullResolutionFeedsScaleSizeViewsToTheSameNetwork() throws IOException {
        FakeDecoder decoder = new FakeDecoder();
        RecognitionOptions options = RecognitionOptions.builder().crops(3).fullResolution(true).build();
        try (VideoRecognizer recognizer = VideoRecognizer.of(model, options, decoder)) {
            assertEquals(40, recognizer.request().viewSize());
            VideoResult r = recognizer.classify(Path.of("v3.mp4"));
            DecodedClip clip = decoder.decode(Path.of("v3.mp4"), recognizer.request());
            assertEquals(40, clip.side());
            float[][] logits = viewLogits(clip);
            double[] mean = new double[5];
            for (float[] row : logits) {
                for (int j = 0; j < 5; j++) {
                    mean[j] += row[j] / logits.length;
                }
            }
            assertEquals(TopK.argMax(mean), r.best().orElseThrow().index());
        }
    }

    @Test
    void classifyAllReturnsAFailedResultForABadVideoAndGoesOn() throws IOException {
        FakeDecoder decoder = new FakeDecoder();
        RecognitionOptions options = RecognitionOptions.builder().decodeThreads(2).decodeAhead(2).build();
        List<Path> videos = List.of(Path.of("v1.mp4"), Path.of("bad.mp4"), Path.of("v2.mp4"), Path.of("v3.mp4"));
        try (VideoRecognizer recognizer = VideoRecognizer.of(model, options, decoder)) {
            List<VideoResult> all = recognizer.classifyAll(videos);
            assertEquals(4, all.size());
            assertEquals(List.of("v1.mp4", "bad.mp4", "v2.mp4", "v3.mp4"),
                    all.stream().map(VideoResult::video).toList());
            VideoResult bad = all.get(1);
            assertFalse(bad.ok());
            assertEquals("cannot read video bad.mp4: no decodable frames", bad.error());
            assertTrue(bad.top().isEmpty());
            for (int i : new int[] {0, 2, 3}) {
                VideoResult one = recognizer.classify(videos.get(i));
                assertEquals(one.top(), all.get(i).top(), videos.get(i).toString());
                assertEquals(one.scores(), all.get(i).scores());
            }
        }
        assertEquals(7, decoder.calls.get());
    }

    @Test
    void optionsAreValidatedWithTheirNames() {
        assertEquals("RecognitionOptions.top must be >= 1, found 0", assertThrows(IllegalArgumentException.class,
                () -> RecognitionOptions.builder().top(0).build()).getMessage());
        assertEquals("RecognitionOptions.crops must be 1, 3 or 10, found 5",
                assertThrows(IllegalArgumentException.class, () -> RecognitionOptions.builder().crops(5))
                        .getMessage());
        assertEquals("RecognitionOptions.clips must be 2 for TWICE sampling, found 3",
                assertThrows(IllegalArgumentException.class,
                        () -> RecognitionOptions.builder().sampling(SamplingMode.TWICE).clips(3).build())
                        .getMessage());
        assertEquals(10, RecognitionOptions.builder().sampling(SamplingMode.DENSE).build().effectiveClips());
        assertEquals(TestCrop.CENTRE, RecognitionOptions.defaults().crops());
        assertEquals(ScoreAveraging.RAW_SCORES, RecognitionOptions.defaults().averaging());
    }

    @Test
    void theOnnxRuntimeEngineGivesTheSameResultsAsTsm4jsOwn() throws IOException {
        FakeDecoder decoder = new FakeDecoder();
        RecognitionOptions nd4j = RecognitionOptions.builder().crops(3).sampling(SamplingMode.TWICE).top(5).build();
        RecognitionOptions ort = nd4j.toBuilder().engine(io.github.tsm4j.models.engine.EngineKind.ONNX_RUNTIME)
                .engineThreads(1).build();
        VideoResult a;
        VideoResult b;
        try (VideoRecognizer r = VideoRecognizer.of(model, nd4j, decoder)) {
            a = r.classify(Path.of("v4.mp4"));
        }
        try (VideoRecognizer r = VideoRecognizer.of(model, ort, decoder)) {
            b = r.classify(Path.of("v4.mp4"));
        }
        double largest = a.scores().stream().mapToDouble(Math::abs).max().orElseThrow();
        for (int j = 0; j < 5; j++) {
            assertEquals(a.scores().get(j), b.scores().get(j), 1e-5 * largest, "class " + j);
        }
        assertEquals(a.top().stream().map(Prediction::index).toList(), b.top().stream().map(Prediction::index).toList());
    }

    @Test
    void aModelZipNeedsTheDecoderOnTheClassPath() {
        // tsm-models' tests have no tsm-data: the lookup names the artifact to add
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> VideoRecognizer.of(model));
        assertEquals("No video decoder on the class path: add the dependency io.github.tsm4j:tsm-data (it registers "
                + "a io.github.tsm4j.core.clip.ClipDecoder), or pass a decoder explicitly", e.getMessage());
        assertArrayEquals(new int[] {0, 1}, TopK.order(new double[] {1, 1}), "ties by index");
        InputSpec spec = model.config().input();
        assertEquals(40, spec.scaleSize());
    }
}
