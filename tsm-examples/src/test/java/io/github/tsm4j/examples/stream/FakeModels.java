package io.github.tsm4j.examples.stream;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.models.engine.EngineKind;
import io.github.tsm4j.models.engine.FrameEngine;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Frame engines for tests: no network, just arithmetic on the input, with and without per-stream state. */
public final class FakeModels {
    private FakeModels() {}

    /** 32-px input, ImageNet normalisation. */
    public static final InputSpec SPEC = InputSpec.imageNet(1).withSize(32, 32);

    /**
     * Labels {@code red, green, blue}: logits are the mean of each de-normalised channel, so a solid
     * colour frame is labelled by its dominant channel.
     */
    public static final class Colour implements FrameEngine {
        private final long sleepMillis;
        private final int streams;
        private int steps;

        /** A one-stream colour model that answers at once. */
        public Colour() {
            this(0, 1);
        }

        /**
         * @param sleepMillis time each step takes (a slow model for real-time tests)
         * @param streams B
         */
        public Colour(long sleepMillis, int streams) {
            this.sleepMillis = sleepMillis;
            this.streams = streams;
        }

        @Override
        public void step(INDArray frames, float[][] out) {
            if (sleepMillis > 0) {
                try {
                    Thread.sleep(sleepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            steps++;
            for (int b = 0; b < streams; b++) {
                out[b] = channelMeans(frames, b);
            }
        }

        /** @return steps taken */
        public int steps() {
            return steps;
        }

        @Override
        public EngineKind kind() {
            return EngineKind.ND4J;
        }

        @Override
        public int streams() {
            return streams;
        }

        @Override
        public void reset(int stream) {
        }

        @Override
        public void reset() {
        }

        @Override
        public void close() {
        }

        @Override
        public List<String> labels() {
            return List.of("red", "green", "blue");
        }
    }

    /**
     * Labels {@code darker, same, brighter}: compares each stream's frame brightness with that stream's previous
     * frame, held in a per-stream cache like an online shift buffer; mixing streams would compare frames of
     * different videos.
     */
    public static final class Brightness implements FrameEngine {
        private final float[] previous;

        /** @param streams B */
        public Brightness(int streams) {
            previous = new float[streams];
            Arrays.fill(previous, Float.NaN);
        }

        @Override
        public void step(INDArray frames, float[][] out) {
            for (int s = 0; s < previous.length; s++) {
                float[] m = channelMeans(frames, s);
                float b = (m[0] + m[1] + m[2]) / 3f;
                float[] logits = new float[3];
                if (Float.isNaN(previous[s]) || Math.abs(b - previous[s]) < 1f) {
                    logits[1] = 1;
                } else {
                    logits[b < previous[s] ? 0 : 2] = 1;
                }
                previous[s] = b;
                out[s] = logits;
            }
        }

        @Override
        public void reset(int stream) {
            previous[stream] = Float.NaN;
        }

        @Override
        public void reset() {
            Arrays.fill(previous, Float.NaN);
        }

        @Override
        public EngineKind kind() {
            return EngineKind.ND4J;
        }

        @Override
        public int streams() {
            return previous.length;
        }

        @Override
        public void close() {
        }

        @Override
        public List<String> labels() {
            return List.of("darker", "same", "brighter");
        }
    }

    /** Mean pixel value (0–255) of each channel of stream {@code b} of a normalised {@code [B, 3, S, S]} input. */
    static float[] channelMeans(INDArray frames, int b) {
        float[] out = new float[3];
        for (int c = 0; c < 3; c++) {
            double mean = frames.get(NDArrayIndex.point(b), NDArrayIndex.point(c)).meanNumber().doubleValue();
            out[c] = (float) ((mean * SPEC.std().get(c) + SPEC.mean().get(c)) * 255);
        }
        return out;
    }
}
