package io.github.tsm4j.core;

import java.util.List;

/**
 * The one description of a model's input: how many frames (segments) a clip has, how frames are
 * scaled and cropped, and how pixel values are normalised. It travels with a trained model and is used
 * alike by training, evaluation, {@code predict} and {@code stream}.
 *
 * <p>Pixels are RGB in [0, 255]; a normalised value is {@code (v / 255 - mean[c]) / std[c]}. Clips
 * reach a network as {@code [N·T, 3, cropSize, cropSize]} (NCHW), frames of one video contiguous.
 *
 * @param segments frames per clip T (TSN segments), at least 1
 * @param cropSize side of the square network input in pixels (224 in the paper)
 * @param scaleSize short side frames are scaled to before cropping (256 in the paper); at least cropSize
 * @param mean per-channel mean (R, G, B) of pixel values scaled to [0, 1]
 * @param std per-channel standard deviation (R, G, B), each positive
 * @param resizeMethod how frames are resized; {@code null} means {@link ResizeMethod#PIL_BILINEAR} (the
 *     official pipeline's resize; model files written before this field existed load with it)
 */
public record InputSpec(int segments, int cropSize, int scaleSize, List<Double> mean, List<Double> std,
        ResizeMethod resizeMethod) {

    /** ImageNet mean (R, G, B), as torchvision and the official TSM code use. */
    public static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);
    /** ImageNet standard deviation (R, G, B). */
    public static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);

    /** The resize method of specs that do not name one: Pillow's bilinear, as the official code. */
    public static final ResizeMethod DEFAULT_RESIZE = ResizeMethod.PIL_BILINEAR;

    public InputSpec {
        if (resizeMethod == null) {
            resizeMethod = DEFAULT_RESIZE;
        }
        if (segments < 1) {
            throw new IllegalArgumentException("InputSpec.segments must be >= 1, found " + segments);
        }
        if (cropSize < 1) {
            throw new IllegalArgumentException("InputSpec.cropSize must be >= 1, found " + cropSize);
        }
        if (scaleSize < cropSize) {
            throw new IllegalArgumentException(
                    "InputSpec.scaleSize must be >= cropSize (" + cropSize + "), found " + scaleSize);
        }
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        if (mean.size() != 3 || std.size() != 3) {
            throw new IllegalArgumentException(
                    "InputSpec.mean and std must have 3 values (R, G, B), found " + mean + " and " + std);
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("InputSpec.std values must be positive, found " + std);
            }
        }
    }

    /**
     * A spec with the default resize method ({@link ResizeMethod#PIL_BILINEAR}).
     *
     * @param segments frames per clip T
     * @param cropSize network input side
     * @param scaleSize short side before cropping
     * @param mean per-channel mean (R, G, B)
     * @param std per-channel standard deviation (R, G, B)
     */
    public InputSpec(int segments, int cropSize, int scaleSize, List<Double> mean, List<Double> std) {
        this(segments, cropSize, scaleSize, mean, std, DEFAULT_RESIZE);
    }

    /**
     * The paper's preprocessing: crop 224, scale 256, ImageNet mean/std.
     *
     * @param segments frames per clip
     * @return the spec
     */
    public static InputSpec imageNet(int segments) {
        return new InputSpec(segments, 224, 256, IMAGENET_MEAN, IMAGENET_STD);
    }

    /**
     * The same normalisation at another resolution (small inputs for tests and the demo).
     *
     * @param cropSize network input side
     * @param scaleSize short side before cropping
     * @return a copy with the new sizes
     */
    public InputSpec withSize(int cropSize, int scaleSize) {
        return new InputSpec(segments, cropSize, scaleSize, mean, std, resizeMethod);
    }

    /**
     * A copy with another number of segments.
     *
     * @param newSegments frames per clip
     * @return the copy
     */
    public InputSpec withSegments(int newSegments) {
        return new InputSpec(newSegments, cropSize, scaleSize, mean, std, resizeMethod);
    }

    /**
     * A copy with another resize method.
     *
     * @param method the resize method
     * @return the copy
     */
    public InputSpec withResizeMethod(ResizeMethod method) {
        return new InputSpec(segments, cropSize, scaleSize, mean, std, method);
    }
}
