package io.github.tsm4j.models.recognize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.core.stream.SourceFrame;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class StreamRecognizerTest {
    private static final int SIZE = 32;

    /** {@code count} random normalised frames, the same for the same seed. */
    private static final class Synthetic implements FrameSource {
        private final String name;
        private final int count;
        private final long seed;
        private SplittableRandom rnd;
        private int next;

        Synthetic(String name, int count, long seed) {
            this.name = name;
            this.count = count;
            this.seed = seed;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void open() {
            rnd = new SplittableRandom(seed);
            next = 0;
        }

        @Override
        public SourceFrame next() {
            if (next == count) {
                return null;
            }
            float[] input = new float[3 * SIZE * SIZE];
            for (int i = 0; i < input.length; i++) {
                input[i] = (float) rnd.nextGaussian();
            }
            int i = next++;
            return new SourceFrame(i, i * 40_000L, 1, 1, new byte[3], input);
        }

        @Override
        public double frameRate() {
            return 25;
        }

        @Override
        public boolean live() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    private static TsmModel model() {
        TsmConfig config = TsmConfig.builder(Backbone.MOBILENET_V2, 4).segments(4).inputSize(SIZE, SIZE)
                .direction(ShiftDirection.UNIDIRECTIONAL).build();
        TsmModel model = TsmModel.create(config, List.of("a", "b", "c", "d"));
        // a classifier that is not ~0, so that probabilities differ visibly between frames and streams
        Nd4j.getRandom().setSeed(11);
        model.graph().getParam("fc_W").assign(Nd4j.randn(DataType.FLOAT, model.graph().getParam("fc_W").shape()));
        return model;
    }

    /** Per-frame probabilities of every source, keyed by source name. */
    private static Map<String, List<float[]>> run(TsmModel model, int streams, List<FrameSource> sources)
            throws InterruptedException {
        return run(model, streams, sources, StreamOptions.defaults());
    }

    private static Map<String, List<float[]>> run(TsmModel model, int streams, List<FrameSource> sources,
            StreamOptions options) throws InterruptedException {
        Map<String, List<float[]>> out = new HashMap<>();
        try (StreamRecognizer r = StreamRecognizer.of(model, streams, options)) {
            r.run(sources, new StreamListener() {
                @Override
                public void onFrame(FrameResult frame) {
                    out.computeIfAbsent(frame.source(), k -> new ArrayList<>()).add(frame.probabilities());
                }
            });
        }
        return out;
    }

    @Test
    void bStreamsInOneModelEqualEachStreamAloneFrameByFrame() throws InterruptedException {
        TsmModel model = model();
        List<FrameSource> sources = List.of(new Synthetic("a", 7, 1), new Synthetic("b", 3, 2),
                new Synthetic("c", 5, 3));
        // two slots for three sources: "c" takes over the slot "b" leaves, after a reset of its caches
        Map<String, List<float[]>> together = run(model, 2, sources);
        for (FrameSource s : sources) {
            Map<String, List<float[]>> alone = run(model, 1, List.of(new Synthetic(s.name(),
                    ((Synthetic) s).count, ((Synthetic) s).seed)));
            List<float[]> expected = alone.get(s.name());
            List<float[]> actual = together.get(s.name());
            assertEquals(expected.size(), actual.size(), s.name());
            for (int t = 0; t < expected.size(); t++) {
                assertArrayEquals(expected.get(t), actual.get(t), 1e-5f, s.name() + " frame " + t);
            }
        }
    }

    @Test
    void onnxRuntimeStreamsTheSameProbabilitiesWithItsCachesCarried() throws InterruptedException {
        TsmModel model = model();
        List<FrameSource> sources = List.of(new Synthetic("a", 6, 1), new Synthetic("b", 4, 2));
        Map<String, List<float[]>> nd4j = run(model, 2, sources);
        Map<String, List<float[]>> ort = run(model, 2, List.of(new Synthetic("a", 6, 1), new Synthetic("b", 4, 2)),
                StreamOptions.defaults().withEngine(io.github.tsm4j.models.engine.EngineKind.ONNX_RUNTIME, 1));
        for (String s : List.of("a", "b")) {
            assertEquals(nd4j.get(s).size(), ort.get(s).size());
            for (int t = 0; t < nd4j.get(s).size(); t++) {
                assertArrayEquals(nd4j.get(s).get(t), ort.get(s).get(t), 1e-5f, s + " frame " + t);
            }
        }
    }

    @Test
    void temporalPoolingCannotStream() {
        TsmConfig pooled = TsmConfig.builder(Backbone.RESNET50, 5).segments(4).inputSize(SIZE, SIZE).baseWidth(8)
                .temporalPool(true).build();
        TsmModel m = TsmModel.create(pooled, TsmModel.defaultLabels(5));
        assertEquals("the model uses temporal pooling, which online TSM cannot stream (each frame must pass the "
                + "network alone)", assertThrows(IllegalArgumentException.class,
                        () -> StreamRecognizer.of(m, 1, StreamOptions.defaults())).getMessage());
    }
}
