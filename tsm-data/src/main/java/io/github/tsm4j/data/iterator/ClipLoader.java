package io.github.tsm4j.data.iterator;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.data.transform.ClipTensors;
import io.github.tsm4j.data.transform.ClipTransform;
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
 * <p>The frame count used for sampling is {@link VideoReader#quickFrameCount()} (demuxed packets);
 * when reading shows that fewer frames decode, the verified count is used and the clip is sampled
 * again.
 *
 * <p>Output: {@code V·T} frames of {@code [3, cropSize, cropSize]} float32, where {@code V} = test
 * clips × crop views (1 in training); order view-major: for each crop view, for each clip, its T frames
 * (as the official test script). Thread-safe (each call opens its own reader); uses no ND4J except in
 * {@link #loadTensor}.
 */
public final class ClipLoader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClipLoader.class);
    private final FrameSampler sampler;
    private final ClipTransform transform;
    private final boolean training;

    /**
     * @param sampler frame sampling (its segments must equal the transform spec's)
     * @param transform the group transform; {@link ClipTransform#isTraining()} selects training sampling
     */
    public ClipLoader(FrameSampler sampler, ClipTransform transform) {
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
        return framesPerVideo() * ClipTensors.frameLength(spec());
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
     * Loads one video and reports what was sampled.
     *
     * @param video video file or frame folder
     * @param rng random source (unused at test time; may be null then)
     * @return the pixels ({@link #lengthPerVideo()} floats, as {@link #load}) with the frame indices used
     * @throws VideoDecodeException when the video is missing, unreadable or has no decodable frames
     */
    public LoadedClip loadClip(Path video, RandomGenerator rng) {
        float[] out = new float[lengthPerVideo()];
        Sampled s = read(video, rng, out, 0);
        double[] times = new double[s.indices.length];
        java.util.Arrays.fill(times, Double.NaN);
        return new LoadedClip(out, framesPerVideo(), s.frameCount, s.indices, times);
    }

    private record Sampled(int frameCount, int[] indices) {}

    private Sampled read(Path video, RandomGenerator rng, float[] dest, int offset) {
        List<RgbFrame> frames;
        int count;
        int[] used;
        try (VideoReader reader = VideoReader.open(video)) {
            int n = reader.quickFrameCount();
            if (n == 0) {
                throw new VideoDecodeException(video, "no decodable frames");
            }
            // sampling consumes random numbers; replay them if the quick count proves wrong
            RandomGenerator replay = rng instanceof java.util.SplittableRandom sr ? sr.split() : null;
            try {
                count = n;
                used = indices(n, replay == null ? rng : replay);
                frames = reader.read(used, spec().scaleSize());
            } catch (VideoDecodeException e) {
                int verified = reader.frameCount(); // known now: read() stopped at the real end
                if (verified == n) {
                    throw e;
                }
                if (verified == 0) {
                    throw new VideoDecodeException(video, "no decodable frames", e);
                }
                LOG.debug("{}: {} packets but {} decodable frames; resampling", video, n, verified);
                count = verified;
                used = indices(verified, rng);
                frames = reader.read(used, spec().scaleSize());
            }
        }
        int o = offset;
        for (List<RgbFrame> view : transform.apply(frames, rng)) {
            o = ClipTensors.write(view, spec(), dest, o);
        }
        return new Sampled(count, used);
    }

    private int[] indices(int frameCount, RandomGenerator rng) {
        return training ? sampler.trainIndices(frameCount, rng) : sampler.testIndices(frameCount);
    }

    /**
     * Loads one video as a tensor.
     *
     * @param video video file or frame folder
     * @param rng random source
     * @return {@code [V·T, 3, cropSize, cropSize]} float32
     */
    public INDArray loadTensor(Path video, RandomGenerator rng) {
        int side = spec().cropSize();
        return Nd4j.create(load(video, rng), new long[] {framesPerVideo(), 3, side, side}, 'c');
    }
}
