package io.github.tsm4j.core.clip;

import io.github.tsm4j.core.InputSpec;

/**
 * Test-time views of a clip (the official {@code test_models.py --test_crops}, with or without
 * {@code --full_res}). Frames are first scaled so their short side is {@code scaleSize}; the crops are
 * {@code cropSize} square, or {@code scaleSize} square for the full-resolution protocols (the official
 * {@code --full_res} sets {@code input_size = scale_size}: 256 × 256 crops fed to the same network).
 */
public enum TestCrop {
    /** One centre crop of {@code cropSize} ({@code GroupCenterCrop}). */
    CENTRE,
    /** Crops at left, right and centre ({@code GroupFullResSample}, no flip), {@code cropSize} square. */
    THREE,
    /** The 4 corners and the centre, each also mirrored: 10 views ({@code GroupOverSample}). */
    TEN,
    /** {@code --full_res --test_crops 1}: one centre crop of {@code scaleSize} square. */
    FULL_RES_CENTRE,
    /**
     * {@code --full_res --test_crops 3}, the paper's full-resolution protocol: {@code GroupFullResSample}
     * with {@code crop = scale_size}: left, right and centre crops of {@code scaleSize} square, offsets
     * {@code (0, 2·hStep)}, {@code (4·wStep, 2·hStep)}, {@code (2·wStep, 2·hStep)} with
     * {@code wStep = (W − scaleSize) // 4}, {@code hStep = (H − scaleSize) // 4}.
     */
    FULL_RES_THREE;

    /** @return views per clip */
    public int views() {
        return switch (this) {
            case CENTRE, FULL_RES_CENTRE -> 1;
            case THREE, FULL_RES_THREE -> 3;
            case TEN -> 10;
        };
    }

    /**
     * Side of the square frames this crop produces.
     *
     * @param spec the model's input description
     * @return {@code cropSize}, or {@code scaleSize} for the full-resolution protocols
     */
    public int side(InputSpec spec) {
        return switch (this) {
            case CENTRE, THREE, TEN -> spec.cropSize();
            case FULL_RES_CENTRE, FULL_RES_THREE -> spec.scaleSize();
        };
    }
}
