package io.github.tsm4j.core;

/**
 * How frames are resized (short-side scaling before cropping, and the training crops' resize to
 * {@code cropSize}). Part of a model's {@link InputSpec}, so the choice travels with the model.
 */
public enum ResizeMethod {
    /**
     * Pillow's {@code Image.resize(size, BILINEAR)}: the antialiased separable triangle filter (widened by
     * the shrink factor), horizontal pass then vertical pass, 8-bit fixed point — what torchvision's
     * {@code Resize} does to PIL images and hence what the official TSM test pipeline ({@code GroupScale})
     * and training crops use. Byte-identical to Pillow. The default.
     */
    PIL_BILINEAR,
    /**
     * OpenCV {@code resize}: {@code INTER_AREA} when shrinking, {@code INTER_LINEAR} when enlarging. Faster,
     * but differs from the official pipeline by up to tens of grey levels on sharp edges.
     */
    OPENCV
}
