package io.github.tsm4j.data.sampling;

import io.github.tsm4j.core.clip.SamplingMode;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the frames of a clip exactly as the official TSM code ({@code ops/dataset.py},
 * {@code TSNDataSet._sample_indices} / {@code _get_test_indices}) does, but returns <b>0-based</b>
 * indices (the official code adds 1 for 1-based frame files; {@link io.github.tsm4j.data.video.FrameNaming}
 * does that mapping here).
 *
 * <p>For {@code n} frames and {@code T} segments:
 * <ul>
 * <li>UNIFORM train: {@code avg = n / T}; if {@code avg > 0}: {@code i·avg + randint(avg)}; else if
 * {@code n > T}: {@code T} sorted draws of {@code randint(n)}; else all zeros.</li>
 * <li>UNIFORM test: {@code tick = n / T} (real division); clip {@code k} of {@code clips}:
 * {@code int(tick·(k + 0.5)/clips + tick·i)} — for one clip the official {@code int(tick/2 + tick·i)}.</li>
 * <li>DENSE: {@code window = max(1, 1 + n − 64)}, {@code stride = 64 / T}; train start =
 * {@code randint(window − 1)} (0 when window is 1); test starts = {@code floor(linspace(0, window − 1,
 * clips))}, 10 clips by default; index {@code (start + i·stride) mod n}.</li>
 * <li>TWICE test: two clips, {@code int(tick/2 + tick·i)} then {@code int(tick·i)}; train as UNIFORM.</li>
 * </ul>
 * Randomness comes from the caller's generator, so a seeded generator gives the same indices.
 *
 * @param segments frames per clip T, at least 1
 * @param mode the sampling mode
 * @param testClips clips per video at test time: UNIFORM any positive number (1 in the paper), DENSE
 *     any positive number (10 in the paper), TWICE must be 2
 */
public record FrameSampler(int segments, SamplingMode mode, int testClips) {

    /** Frames covered by one dense clip in the official code. */
    public static final int DENSE_WINDOW = 64;
    /** Test clips of dense sampling in the official code. */
    public static final int DENSE_TEST_CLIPS = 10;

    public FrameSampler {
        if (segments < 1) {
            throw new IllegalArgumentException("FrameSampler.segments must be >= 1, found " + segments);
        }
        if (mode == null) {
            throw new IllegalArgumentException("FrameSampler.mode must not be null");
        }
        if (testClips < 1) {
            throw new IllegalArgumentException("FrameSampler.testClips must be >= 1, found " + testClips);
        }
        if (mode == SamplingMode.TWICE && testClips != 2) {
            throw new IllegalArgumentException("FrameSampler.testClips must be 2 for TWICE, found " + testClips);
        }
        if (mode == SamplingMode.DENSE && segments > DENSE_WINDOW) {
            throw new IllegalArgumentException("FrameSampler.segments must be <= " + DENSE_WINDOW
                    + " for DENSE, found " + segments);
        }
    }

    /**
     * The official default number of test clips for a mode (UNIFORM 1, DENSE 10, TWICE 2).
     *
     * @param segments frames per clip
     * @param mode the mode
     * @return the sampler
     */
    public static FrameSampler of(int segments, SamplingMode mode) {
        int clips = switch (mode) {
            case UNIFORM -> 1;
            case DENSE -> DENSE_TEST_CLIPS;
            case TWICE -> 2;
        };
        return new FrameSampler(segments, mode, clips);
    }

    /**
     * Training indices: one clip of T frames.
     *
     * @param frameCount frames in the video, at least 1
     * @param rng the random source (seed it for reproducibility)
     * @return T 0-based indices
     */
    public int[] trainIndices(int frameCount, RandomGenerator rng) {
        checkCount(frameCount);
        int t = segments;
        int[] out = new int[t];
        switch (mode) {
            case UNIFORM, TWICE -> {
                int avg = frameCount / t;
                if (avg > 0) {
                    for (int i = 0; i < t; i++) {
                        out[i] = i * avg + rng.nextInt(avg);
                    }
                } else if (frameCount > t) {
                    for (int i = 0; i < t; i++) {
                        out[i] = rng.nextInt(frameCount);
                    }
                    Arrays.sort(out);
                }
                // else: all zeros, as the official code
            }
            case DENSE -> {
                int window = Math.max(1, 1 + frameCount - DENSE_WINDOW);
                int start = window == 1 ? 0 : rng.nextInt(window - 1);
                dense(out, 0, start, frameCount);
            }
        }
        return out;
    }

    /**
     * Test indices: {@link #clipsPerVideo()} clips of T frames, clip after clip.
     *
     * @param frameCount frames in the video, at least 1
     * @return {@code clips·T} 0-based indices, clip-major
     */
    public int[] testIndices(int frameCount) {
        checkCount(frameCount);
        int t = segments;
        int clips = clipsPerVideo();
        int[] out = new int[clips * t];
        double tick = frameCount / (double) t;
        switch (mode) {
            case UNIFORM -> {
                for (int k = 0; k < clips; k++) {
                    double start = tick * (k + 0.5) / clips;
                    for (int i = 0; i < t; i++) {
                        out[k * t + i] = (int) (start + tick * i);
                    }
                }
            }
            case TWICE -> {
                for (int i = 0; i < t; i++) {
                    out[i] = (int) (tick / 2.0 + tick * i);
                    out[t + i] = (int) (tick * i);
                }
            }
            case DENSE -> {
                int window = Math.max(1, 1 + frameCount - DENSE_WINDOW);
                double delta = window - 1;
                for (int k = 0; k < clips; k++) {
                    // numpy.linspace(0, window - 1, clips, dtype=int): k * (delta / (clips - 1)), last = stop, floored
                    int start;
                    if (clips == 1) {
                        start = 0;
                    } else if (k == clips - 1) {
                        start = window - 1;
                    } else {
                        start = (int) Math.floor(k * (delta / (clips - 1)));
                    }
                    dense(out, k * t, start, frameCount);
                }
            }
        }
        return out;
    }

    /** @return clips per video at test time ({@code testClips}) */
    public int clipsPerVideo() {
        return testClips;
    }

    private void dense(int[] out, int offset, int start, int frameCount) {
        int stride = DENSE_WINDOW / segments;
        for (int i = 0; i < segments; i++) {
            out[offset + i] = (i * stride + start) % frameCount;
        }
    }

    private static void checkCount(int frameCount) {
        if (frameCount < 1) {
            throw new IllegalArgumentException("frameCount must be >= 1, found " + frameCount);
        }
    }
}
