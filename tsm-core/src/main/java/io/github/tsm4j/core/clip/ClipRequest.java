package io.github.tsm4j.core.clip;

import io.github.tsm4j.core.InputSpec;
import java.util.Objects;

/**
 * What to decode from one video for testing: the model's input description, the official sampling and crop
 * protocol of {@code test_models.py}, and whether the full-resolution protocol ({@code --full_res}: views of
 * {@code scaleSize} instead of {@code cropSize}) applies.
 *
 * @param spec the model's input description (segments, sizes, mean/std)
 * @param sampling frame sampling
 * @param clips clips per video, at least 1 (2 for {@link SamplingMode#TWICE})
 * @param crops crop views per clip
 * @param fullResolution whether views are {@code scaleSize} squares ({@code --full_res}) instead of {@code cropSize}
 * @param timing what frame indices of a video file mean (default: the constant-rate frames of the official
 *     extraction)
 */
public record ClipRequest(InputSpec spec, SamplingMode sampling, int clips, TestCrop crops, boolean fullResolution,
        FrameTiming timing) {

    /** Test clips of dense sampling in the official code. */
    public static final int DENSE_TEST_CLIPS = 10;

    public ClipRequest {
        Objects.requireNonNull(spec, "ClipRequest.spec");
        Objects.requireNonNull(sampling, "ClipRequest.sampling");
        Objects.requireNonNull(crops, "ClipRequest.crops");
        Objects.requireNonNull(timing, "ClipRequest.timing");
        if (clips < 1) {
            throw new IllegalArgumentException("ClipRequest.clips must be >= 1, found " + clips);
        }
        if (sampling == SamplingMode.TWICE && clips != 2) {
            throw new IllegalArgumentException("ClipRequest.clips must be 2 for TWICE sampling, found " + clips);
        }
        if (fullResolution && crops == TestCrop.TEN) {
            throw new IllegalArgumentException("ClipRequest: full resolution takes 1 or 3 crops (the official "
                    + "--full_res with --test_crops 1 or 3), found TEN");
        }
    }

    /**
     * The crop that produces the views: {@link #crops()}, or its full-resolution form when
     * {@link #fullResolution()} is set ({@code CENTRE} → {@code FULL_RES_CENTRE}, {@code THREE} →
     * {@code FULL_RES_THREE}).
     *
     * @return the effective crop
     */
    public TestCrop effectiveCrop() {
        if (!fullResolution) {
            return crops;
        }
        return switch (crops) {
            case CENTRE, FULL_RES_CENTRE -> TestCrop.FULL_RES_CENTRE;
            case THREE, FULL_RES_THREE -> TestCrop.FULL_RES_THREE;
            case TEN -> throw new IllegalStateException("unreachable: validated in the constructor");
        };
    }

    /**
     * A request with {@link FrameTiming#CONSTANT_RATE} frame indices.
     *
     * @param spec the model's input description
     * @param sampling frame sampling
     * @param clips clips per video
     * @param crops crop views per clip
     * @param fullResolution the official {@code --full_res}
     */
    public ClipRequest(InputSpec spec, SamplingMode sampling, int clips, TestCrop crops, boolean fullResolution) {
        this(spec, sampling, clips, crops, fullResolution, FrameTiming.CONSTANT_RATE);
    }

    /**
     * The official default clip count of a sampling mode: UNIFORM 1, DENSE 10, TWICE 2.
     *
     * @param sampling the mode
     * @return the count
     */
    public static int defaultClips(SamplingMode sampling) {
        return switch (sampling) {
            case UNIFORM -> 1;
            case DENSE -> DENSE_TEST_CLIPS;
            case TWICE -> 2;
        };
    }

    /**
     * The paper's single-view test: uniform centres, one centre crop.
     *
     * @param spec the model's input description
     * @return the request
     */
    public static ClipRequest singleView(InputSpec spec) {
        return new ClipRequest(spec, SamplingMode.UNIFORM, 1, TestCrop.CENTRE, false);
    }

    /** @return side of each view in pixels: {@code scaleSize} for the full-resolution protocols, else {@code cropSize} */
    public int viewSize() {
        return effectiveCrop().side(spec);
    }

    /** @return views per video: clips × crops */
    public int views() {
        return clips * crops.views();
    }
}
