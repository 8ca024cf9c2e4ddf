package io.github.tsm4j.examples.stream;

import io.github.tsm4j.core.InputSpec;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Frame models for tests: no network, just arithmetic on the input, with and without temporal state. */
public final class FakeModels {
    private FakeModels() {}

    /** 32-px input, ImageNet normalisation. */
    public static final InputSpec SPEC = InputSpec.imageNet(1).withSize(32, 32);

    /**
     * Labels {@code red, green, blue}: logits are the mean of each de-normalised channel, so a solid
     * colour frame is labelled by its dominant channel.
     */
    public static final class Colour implements FrameModel {
        private final long sleepMillis;
        private int steps;

        /** A colour model that answers at once. */
        public Colour() {
            this(0);
        }

        /**
         * @param sleepMillis time each step takes (a slow model for real-time tests)
         */
        public Colour(long sleepMillis) {
            this.sleepMillis = sleepMillis;
        }

        @Override
        public float[] step(INDArray frame) {
            if (sleepMillis > 0) {
                try {
                    Thread.sleep(sleepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            steps++;
            return channelMeans(frame);
        }

        /**
         * Frames stepped since the last reset.
         *
         * @return count
         */
        public int steps() {
            return steps;
        }

        @Override
        public void reset() {
            steps = 0;
        }

        @Override
        public List<String> labels() {
            return List.of("red", "green", "blue");
        }

        @Override
        public InputSpec inputSpec() {
            return SPEC;
        }
    }

    /**
     * Labels {@code darker, same, brighter}: compares the frame's brightness with the previous frame's,
     * held in a cache like an online shift buffer. Shared between streams, the cache would compare
     * frames of different videos.
     */
    public static final class Brightness implements FrameModel {
        private float previous = Float.NaN;

        @Override
        public float[] step(INDArray frame) {
            float[] m = channelMeans(frame);
            float b = (m[0] + m[1] + m[2]) / 3f;
            float[] logits = new float[3];
            if (Float.isNaN(previous) || Math.abs(b - previous) < 1f) {
                logits[1] = 1;
            } else {
                logits[b < previous ? 0 : 2] = 1;
            }
            previous = b;
            return logits;
        }

        @Override
        public void reset() {
            previous = Float.NaN;
        }

        @Override
        public List<String> labels() {
            return List.of("darker", "same", "brighter");
        }

        @Override
        public InputSpec inputSpec() {
            return SPEC;
        }
    }

    /** Mean pixel value (0–255) of each channel of a normalised {@code [1, 3, S, S]} input. */
    static float[] channelMeans(INDArray frame) {
        float[] out = new float[3];
        for (int c = 0; c < 3; c++) {
            double mean = frame.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(c)).meanNumber().doubleValue();
            out[c] = (float) ((mean * SPEC.std().get(c) + SPEC.mean().get(c)) * 255);
        }
        return out;
    }
}
