package io.github.tsm4j.models.recognize;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.clip.ClipRequest;
import io.github.tsm4j.core.clip.FrameTiming;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.core.clip.TestCrop;
import io.github.tsm4j.models.engine.EngineKind;
import java.util.Objects;

/**
 * How {@link VideoRecognizer} classifies a video: the official test protocol ({@code test_models.py}: sampling,
 * clips, crops, full resolution, score averaging), how many labels to report, and how work is scheduled.
 * Serializable (enums, numbers and {@link ExecutionOptions}), so that distributed jobs can ship it to their workers.
 * Validated on construction; {@link #defaults()} is the paper's single-view test (uniform centres, one centre crop,
 * raw-score averaging, top 5). Use {@link #builder()} to change a few settings.
 *
 * @param sampling frame sampling (default UNIFORM)
 * @param clips clips per video; 0 = the official default of the sampling mode (UNIFORM 1, DENSE 10, TWICE 2)
 * @param crops crop views per clip (1 centre, 3 full-res samples, 10 over-sample)
 * @param fullResolution the official {@code --full_res}: views of {@code scaleSize} fed to the same network
 * @param timing what frame indices of a video file mean: the constant-rate frames of the official extraction
 *     (default) or decode order
 * @param averaging how view scores are combined (default raw scores, as the official code)
 * @param top labels reported per video, at least 1 (capped at the class count)
 * @param batch views per forward pass, at least 1 (memory vs speed)
 * @param decodeThreads background decoding threads of {@link VideoRecognizer#classifyAll}, at least 1
 * @param decodeAhead videos decoded ahead of inference in {@code classifyAll}, at least 1 (bounds memory)
 * @param engine what runs the network
 * @param engineThreads threads for the engine where it takes a setting (ONNX Runtime); 0 = its default
 * @param execution tsm4j's execution settings for its own engine (layout, kernels; recorded with the model)
 */
public record RecognitionOptions(SamplingMode sampling, int clips, TestCrop crops, boolean fullResolution,
        FrameTiming timing, ScoreAveraging averaging, int top, int batch, int decodeThreads, int decodeAhead, EngineKind engine,
        int engineThreads, ExecutionOptions execution) implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** Default of {@link #top}. */
    public static final int DEFAULT_TOP = 5;
    /** Default of {@link #batch}. */
    public static final int DEFAULT_BATCH = 4;

    public RecognitionOptions {
        Objects.requireNonNull(sampling, "RecognitionOptions.sampling");
        Objects.requireNonNull(crops, "RecognitionOptions.crops");
        Objects.requireNonNull(timing, "RecognitionOptions.timing");
        Objects.requireNonNull(averaging, "RecognitionOptions.averaging");
        Objects.requireNonNull(engine, "RecognitionOptions.engine");
        Objects.requireNonNull(execution, "RecognitionOptions.execution");
        if (clips < 0) {
            throw new IllegalArgumentException("RecognitionOptions.clips must be >= 1 (or 0 for the sampling "
                    + "mode's default), found " + clips);
        }
        if (sampling == SamplingMode.TWICE && clips != 0 && clips != 2) {
            throw new IllegalArgumentException("RecognitionOptions.clips must be 2 for TWICE sampling, found "
                    + clips);
        }
        positive("top", top);
        positive("batch", batch);
        positive("decodeThreads", decodeThreads);
        positive("decodeAhead", decodeAhead);
        if (engineThreads < 0) {
            throw new IllegalArgumentException("RecognitionOptions.engineThreads must be >= 0, found "
                    + engineThreads);
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("RecognitionOptions." + name + " must be >= 1, found " + value);
        }
    }

    /** @return the paper's single-view test, raw-score averaging, top 5, tsm4j's engine */
    public static RecognitionOptions defaults() {
        return builder().build();
    }

    /** @return a builder starting from {@link #defaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these settings */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.sampling = sampling;
        b.clips = clips;
        b.crops = crops;
        b.fullResolution = fullResolution;
        b.timing = timing;
        b.averaging = averaging;
        b.top = top;
        b.batch = batch;
        b.decodeThreads = decodeThreads;
        b.decodeAhead = decodeAhead;
        b.engine = engine;
        b.engineThreads = engineThreads;
        b.execution = execution;
        return b;
    }

    /** @return clips per video after applying the sampling mode's default */
    public int effectiveClips() {
        return clips == 0 ? ClipRequest.defaultClips(sampling) : clips;
    }

    /**
     * @param spec the model's input description
     * @return what to ask the decoder for
     */
    public ClipRequest request(io.github.tsm4j.core.InputSpec spec) {
        return new ClipRequest(spec, sampling, effectiveClips(), crops, fullResolution, timing);
    }

    /** Builder of {@link RecognitionOptions}; every setting starts at its default. */
    public static final class Builder {
        private SamplingMode sampling = SamplingMode.UNIFORM;
        private int clips;
        private TestCrop crops = TestCrop.CENTRE;
        private boolean fullResolution;
        private FrameTiming timing = FrameTiming.CONSTANT_RATE;
        private ScoreAveraging averaging = ScoreAveraging.RAW_SCORES;
        private int top = DEFAULT_TOP;
        private int batch = DEFAULT_BATCH;
        private int decodeThreads = 1;
        private int decodeAhead = 2;
        private EngineKind engine = EngineKind.ND4J;
        private int engineThreads;
        private ExecutionOptions execution = ExecutionOptions.defaults();

        private Builder() {}

        /** @param v frame sampling @return this */
        public Builder sampling(SamplingMode v) { sampling = v; return this; }
        /** @param v clips per video, 0 = the mode's default @return this */
        public Builder clips(int v) { clips = v; return this; }
        /** @param v crop views @return this */
        public Builder crops(TestCrop v) { crops = v; return this; }
        /**
         * @param n crops per clip: 1, 3 or 10 (the official {@code --test_crops})
         * @return this
         */
        public Builder crops(int n) {
            crops = switch (n) {
                case 1 -> TestCrop.CENTRE;
                case 3 -> TestCrop.THREE;
                case 10 -> TestCrop.TEN;
                default -> throw new IllegalArgumentException("RecognitionOptions.crops must be 1, 3 or 10, found "
                        + n);
            };
            return this;
        }
        /** @param v the official {@code --full_res} @return this */
        public Builder fullResolution(boolean v) { fullResolution = v; return this; }
        /** @param v what frame indices of a video file mean @return this */
        public Builder timing(FrameTiming v) { timing = v; return this; }
        /** @param v view averaging @return this */
        public Builder averaging(ScoreAveraging v) { averaging = v; return this; }
        /** @param v labels per video @return this */
        public Builder top(int v) { top = v; return this; }
        /** @param v views per forward pass @return this */
        public Builder batch(int v) { batch = v; return this; }
        /** @param v decoding threads @return this */
        public Builder decodeThreads(int v) { decodeThreads = v; return this; }
        /** @param v videos decoded ahead @return this */
        public Builder decodeAhead(int v) { decodeAhead = v; return this; }
        /** @param v the engine @return this */
        public Builder engine(EngineKind v) { engine = v; return this; }
        /** @param v engine threads, 0 = its default @return this */
        public Builder engineThreads(int v) { engineThreads = v; return this; }

        /** @param v tsm4j's execution settings @return this */
        public Builder execution(ExecutionOptions v) { execution = v; return this; }

        /** @return the validated options */
        public RecognitionOptions build() {
            return new RecognitionOptions(sampling, clips, crops, fullResolution, timing, averaging, top, batch,
                    decodeThreads, decodeAhead, engine, engineThreads, execution);
        }
    }
}
