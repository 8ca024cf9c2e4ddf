package io.github.tsm4j.core.norm;

/**
 * Which layer the network builders use for BatchNorm. Both hold the same parameters ({@code gamma}, {@code beta},
 * {@code mean}, {@code var}, each {@code [1, C]}) in the same order, so saved weights and imports do not care.
 */
public enum BatchNormImplementation {
    /** {@link NativeBatchNorm}: libnd4j {@code batchnorm} op (oneDNN) plus BLAS reductions, optional fused ReLU. */
    NATIVE,
    /**
     * {@link NativeBatchNorm} whose float32 forward and backward passes (with the fused ReLU) run through oneDNN's
     * own batch-normalization primitives, created once per layer and input shape: statistics, normalisation, ReLU
     * and the three gradients in a few passes instead of ~10 separate reductions and streaming passes. Needs
     * oneDNN's natives ({@link io.github.tsm4j.core.conv.OneDnn#NATIVE_ARTIFACTS}); where they do not load the
     * layers log one warning and take the {@link #NATIVE} path (same results). ReLU6 and other data types always
     * take that path.
     */
    ONEDNN,
    /** DL4J's own {@code BatchNormalization} followed by separate activation layers. */
    STOCK;
}
