package io.github.tsm4j.data.iterator;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.data.transform.ClipTensors;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.core.clip.FrameTiming;
import io.github.tsm4j.data.video.VideoDecodeException;
import io.github.tsm4j.data.video.VideoReader;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One video to one normalised clip: open a reader (video file or frame folder), count its frames,
 * sample indices ({@link FrameSampler}: training or test), read only those frames scaled to
 * {@code scaleSize}, apply the {@link ClipTransform}, normalise.
 *
 * <p>Frame indices of video files follow a {@link FrameTiming}: by default the constant-rate frames of
 * the official ffmpeg extraction, so a video file and its official frame folder give the same moments.
 * The frame count used for sampling is {@link VideoReader#quickFrameCount()} (from demuxed packets);
 * when reading shows that fewer frames decode, the verified count is used and the clip is sampled
 * again. Frames are scaled with the spec's {@link InputSpec#resizeMethod()}.
 *
 * <p>Output: {@code V·T} frames of {@code [3, S, S]} float32 (S = cropSize, or scaleSize for the
 * full-resolution test crops), where {@code V} = test
 * clips × crop views (1 in training); order view-major: for each crop view, for each clip, its T frames
 * (as the official test script). Thread-safe (each call opens its own reader); uses no ND4J except in
 * {@link #loadTensor}.
 */
public final class ClipLoader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClipLoader.class);
    private final FrameSampler sampler;
    private final ClipTransform transform;
    private final boolean training;
    private final FrameTiming timing;

    /**
     * A loader with {@link FrameTiming#CONSTANT_RATE} frame indices.
     *
     * @param sampler frame sampling (its segments must equal the transform spec's)
     * @param transform the group transform; {@link ClipTransform#isTraining()} selects training sampling
     */
    public ClipLoader(FrameSampler sampler, ClipTransform transform) {
        this(sampler, transform, FrameTiming.CONSTANT_RATE);
    }

    /**
     * @param sampler frame sampling (its segments must equal the transform spec's)
     * @param transform the group transform; {@link ClipTransform#isTraining()} selects training sampling
     * @param timing what frame indices of video files mean (frame folders are read file by file)
     */
    public ClipLoader(FrameSampler sampler, ClipTransform transform, FrameTiming timing) {
        if (timing == null) {
            throw new IllegalArgumentException("ClipLoader needs a FrameTiming");
        }
        this.timing = timing;
        if (sampler.segments() != transform.spec().segments()) {
            throw new IllegalArgumentException("sampler has " + sampler.segments()
                    + " segments but the InputSpec has " + transform.spec().segments());
        }
        this.sampler = sampler;
        this.transform = transform;
        this.training = transform.isTraining();
    }

    /**
     * The paper's single-clip test setting: segment centres (UNIFORM), short side to
     * {@code scaleSize}, one centre crop.
     *
     * @param spec the model's input description
     * @return the loader; {@code load(video, null)} needs no random source
     */
    public static ClipLoader forTest(InputSpec spec) {
        return new ClipLoader(FrameSampler.of(spec.segments(), io.github.tsm4j.core.clip.SamplingMode.UNIFORM),
                ClipTransform.test(spec, io.github.tsm4j.core.clip.TestCrop.CENTRE));
    }

    /**
     * The training setting: random TSN sampling, multi-scale crop, optional flip.
     *
     * @param spec the model's input description
     * @param flip allow horizontal flips (false for Something-Something and Jester)
     * @return the loader
     */
    public static ClipLoader forTraining(InputSpec spec, boolean flip) {
        return new ClipLoader(FrameSampler.of(spec.segments(), io.github.tsm4j.core.clip.SamplingMode.UNIFORM),
                ClipTransform.train(spec, flip));
    }

    /** @return what frame indices of video files mean */
    public FrameTiming timing() {
        return timing;
    }

    /** @return the input description */
    public InputSpec spec() {
        return transform.spec();
    }

    /** @return frames per video in the output ({@code V·T}) */
    public int framesPerVideo() {
        int clips = training ? 1 : sampler.clipsPerVideo();
        return clips * transform.views() * sampler.segments();
    }

    /** @return float elements per video in the output */
    public int lengthPerVideo() {
        return framesPerVideo() * ClipTensors.frameLength(frameSide());
    }

    /** @return side of the square output frames: cropSize, or scaleSize for full-resolution test crops */
    public int frameSide() {
        return transform.outputSide();
    }

    /**
     * Loads one video into a new array.
     *
     * @param video video file or frame folder
     * @param rng random source for sampling and augmentation (unused at test time)
     * @return {@link #lengthPerVideo()} floats, NCHW frames
     * @throws VideoDecodeException when the video is missing, unreadable or has no decodable frames
     */
    public float[] load(Path video, RandomGenerator rng) {
        float[] out = new float[lengthPerVideo()];
        load(video, rng, out, 0);
        return out;
    }

    /**
     * Loads one video into {@code dest} at {@code offset}.
     *
     * @param video video file or frame folder
     * @param rng random source
     * @param dest destination
     * @param offset first element written
     */
    public void load(Path video, RandomGenerator rng, float[] dest, int offset) {
        read(video, rng, dest, offset);
    }

    /**
     * Loads one video and reports the frames used: the pixels {@link #load(Path, RandomGenerator)} returns,
     * the frame count sampled from, the sampled indices and their presentation times.
     *
     * @param video video file or frame folder
     * @param rng random source for sampling and augmentation (unused at test time; may be null then)
     * @return the clip
     * @throws VideoDecodeException when the video is missing, unreadable or has no decodable frames
     */
    public LoadedClip loadClip(Path video, RandomGenerator rng) {
        float[] out = new float[lengthPerVideo()];
        Sampled s = read(video, rng, out, 0);
        return new LoadedClip(out, framesPerVideo(), s.frameCount(), s.indices(), s.timestamps());
    }

    private record Sampled(int frameCount, int[] indices, double[] timestamps) {}

    private Sampled read(Path video, RandomGenerator rng, float[] dest, int offset) {
        List<RgbFrame> frames;
        int n;
        int[] idx;
        double[] times;
        try (VideoReader reader = VideoReader.open(video, timing)) {
            n = reader.quickFrameCount();
            if (n == 0) {
                throw new VideoDecodeException(video, "no decodable frames");
            }
            // sampling consumes random numbers; replay them if the quick count proves wrong
            RandomGenerator replay = rng instanceof java.util.SplittableRandom sr ? sr.split() : null;
            idx = indices(n, replay == null ? rng : replay);
            try {
                frames = reader.read(idx, spec().scaleSize(), spec().resizeMethod());
            } catch (VideoDecodeException e) {
                int verified = reader.frameCount(); // known now: read() stopped at the real end
                if (verified == n) {
                    throw e;
                }
                if (verified == 0) {
                    throw new VideoDecodeException(video, "no decodable frames", e);
                }
                LOG.debug("{}: quick count {} but {} frames after decoding; resampling", video, n, verified);
                n = verified;
                idx = indices(verified, rng);
                frames = reader.read(idx, spec().scaleSize(), spec().resizeMethod());
            }
            times = reader.timestampsSeconds(idx);
        }
        int o = offset;
        for (List<RgbFrame> view : transform.apply(frames, rng)) {
            o = ClipTensors.write(view, spec(), dest, o);
        }
        return new Sampled(n, idx, times);
    }

    private int[] indices(int frameCount, RandomGenerator rng) {
        return training ? sampler.trainIndices(frameCount, rng) : sampler.testIndices(frameCount);
    }

    /**
     * Loads one video as a tensor.
     *
     * @param video video file or frame folder
     * @param rng random source
     * @return {@code [V·T, 3, S, S]} float32, S = {@link #frameSide()}
     */
    public INDArray loadTensor(Path video, RandomGenerator rng) {
        int side = frameSide();
        return Nd4j.create(load(video, rng), new long[] {framesPerVideo(), 3, side, side}, 'c');
    }
}
