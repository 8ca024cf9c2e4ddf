package io.github.tsm4j.core.norm;

/**
 * Which layer the network builders use for BatchNorm. Both hold the same parameters ({@code gamma}, {@code beta},
 * {@code mean}, {@code var}, each {@code [1, C]}) in the same order, so saved weights and imports do not care.
 */
public enum BatchNormImplementation {
    /** {@link NativeBatchNorm}: libnd4j {@code batchnorm} op (oneDNN) plus BLAS reductions, optional fused ReLU. */
    NATIVE,
    /** DL4J's own {@code BatchNormalization} followed by separate activation layers. */
    STOCK;
}
