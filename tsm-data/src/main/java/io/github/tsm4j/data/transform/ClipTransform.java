package io.github.tsm4j.data.transform;

import io.github.tsm4j.core.clip.TestCrop;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.image.ImageOps;
import io.github.tsm4j.data.image.RgbFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Group transform of a clip: one geometry, chosen once, applied identically to every frame (so motion
 * is preserved). Sizes come from the model's {@link InputSpec}.
 *
 * <p>Training ({@link #train}): scale the short side to {@code scaleSize}, a random multi-scale crop
 * ({@link GroupCrops#sampleMultiScale}: scales 1, .875, .75, .66 of the short side, 13 fixed offsets)
 * resized to {@code cropSize × cropSize}, then a horizontal flip with probability 1/2 if the flip
 * policy allows it (never for Something-Something or Jester, whose labels name left and right).
 * Testing ({@link #test}): scale, then the views of a {@link TestCrop}.
 *
 * <p>{@link #apply} returns views, each a list with one frame per input frame, every frame
 * {@link #outputSide()} square ({@code cropSize}, or {@code scaleSize} for the full-resolution test
 * crops); {@link ClipTensors} turns them into {@code [V·F, 3, H, W]}. Resizing uses the spec's
 * {@link InputSpec#resizeMethod()}.
 */
public final class ClipTransform {

    private enum Kind { TRAIN, TEST }

    private final InputSpec spec;
    private final Kind kind;
    private final boolean flip;
    private final TestCrop testCrop;

    private ClipTransform(InputSpec spec, Kind kind, boolean flip, TestCrop testCrop) {
        if (spec == null) {
            throw new IllegalArgumentException("ClipTransform needs an InputSpec");
        }
        this.spec = spec;
        this.kind = kind;
        this.flip = flip;
        this.testCrop = testCrop;
    }

    /**
     * The training augmentation ({@code GroupMultiScaleCrop} + optional {@code GroupRandomHorizontalFlip}).
     *
     * @param spec sizes
     * @param flip whether random horizontal flips are allowed
     * @return the transform
     */
    public static ClipTransform train(InputSpec spec, boolean flip) {
        return new ClipTransform(spec, Kind.TRAIN, flip, null);
    }

    /**
     * The test-time transform.
     *
     * @param spec sizes
     * @param crop which views
     * @return the transform
     */
    public static ClipTransform test(InputSpec spec, TestCrop crop) {
        if (crop == null) {
            throw new IllegalArgumentException("ClipTransform.test needs a TestCrop");
        }
        return new ClipTransform(spec, Kind.TEST, false, crop);
    }

    /** @return the input description */
    public InputSpec spec() {
        return spec;
    }

    /** @return views produced per clip (1 in training) */
    public int views() {
        return kind == Kind.TRAIN ? 1 : testCrop.views();
    }

    /** @return whether this is the random training augmentation */
    public boolean isTraining() {
        return kind == Kind.TRAIN;
    }

    /**
     * Applies the transform to a group of frames (one or more clips of one video; all the same size).
     *
     * @param frames the frames (any size; scaled to {@code scaleSize} first)
     * @param rng random source (used in training only)
     * @return {@link #views()} views, each with one {@code cropSize × cropSize} frame per input frame
     */
    public List<List<RgbFrame>> apply(List<RgbFrame> frames, RandomGenerator rng) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("ClipTransform needs at least one frame");
        }
        List<RgbFrame> scaled = new ArrayList<>(frames.size());
        RgbFrame first = frames.get(0);
        for (RgbFrame f : frames) {
            if (f.width() != first.width() || f.height() != first.height()) {
                throw new IllegalArgumentException("frames of a clip must share one size, found "
                        + first.width() + "x" + first.height() + " and " + f.width() + "x" + f.height());
            }
            scaled.add(ImageOps.scaleShortSide(f, spec.scaleSize(), spec.resizeMethod()));
        }
        int w = scaled.get(0).width();
        int h = scaled.get(0).height();
        int crop = outputSide();
        return switch (kind) {
            case TRAIN -> {
                CropBox box = GroupCrops.sampleMultiScale(w, h, crop, rng);
                boolean mirror = flip && rng.nextDouble() < 0.5;
                yield List.of(cropAll(scaled, box, mirror));
            }
            case TEST -> switch (testCrop) {
                case CENTRE, FULL_RES_CENTRE -> List.of(cropAll(scaled, GroupCrops.centre(w, h, crop, crop), false));
                case THREE, FULL_RES_THREE -> {
                    List<List<RgbFrame>> v = new ArrayList<>();
                    for (CropBox b : GroupCrops.threeCrops(w, h, crop)) {
                        v.add(cropAll(scaled, b, false));
                    }
                    yield v;
                }
                case TEN -> {
                    List<List<RgbFrame>> v = new ArrayList<>();
                    for (CropBox b : GroupCrops.fiveCrops(w, h, crop)) {
                        v.add(cropAll(scaled, b, false));
                        v.add(cropAll(scaled, b, true));
                    }
                    yield v;
                }
            };
        };
    }

    /**
     * Side of the square frames {@link #apply} returns: {@code cropSize}, or {@code scaleSize} for the
     * full-resolution test crops.
     *
     * @return the side in pixels
     */
    public int outputSide() {
        return kind == Kind.TRAIN ? spec.cropSize() : testCrop.side(spec);
    }

    private List<RgbFrame> cropAll(List<RgbFrame> frames, CropBox box, boolean mirror) {
        int crop = outputSide();
        List<RgbFrame> out = new ArrayList<>(frames.size());
        for (RgbFrame f : frames) {
            RgbFrame c = ImageOps.crop(f, box.x(), box.y(), box.width(), box.height());
            c = ImageOps.resize(c, crop, crop, spec.resizeMethod());
            out.add(mirror ? ImageOps.flipHorizontal(c) : c);
        }
        return out;
    }
}
