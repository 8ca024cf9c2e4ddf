package io.github.tsm4j.core.conv;

import org.nd4j.linalg.activations.Activation;

/**
 * The activation a native convolution applies to its output, in place, right after the convolution
 * (libnd4j's {@code conv2d} op cannot fuse it, so it runs as one extra in-place pass over the output).
 */
public enum ConvActivation {
    /** No activation: the output is the convolution (plus bias). */
    IDENTITY,
    /** {@code max(0, x)}. */
    RELU,
    /** {@code min(max(0, x), 6)} (MobileNetV2). */
    RELU6;

    /** @return the equivalent DL4J activation (stored in the layer configuration for information) */
    public Activation toDl4j() {
        return switch (this) {
            case IDENTITY -> Activation.IDENTITY;
            case RELU -> Activation.RELU;
            case RELU6 -> Activation.RELU6;
        };
    }
}
