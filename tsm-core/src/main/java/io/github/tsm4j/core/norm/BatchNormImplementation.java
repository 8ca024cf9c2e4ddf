package io.github.tsm4j.core.norm;

import io.github.tsm4j.core.conv.ConvImplementation;
import java.util.Locale;

/**
 * Which layer the network builders use for BatchNorm. Both hold the same parameters ({@code gamma}, {@code beta},
 * {@code mean}, {@code var}, each {@code [1, C]}) in the same order, so saved weights and imports do not care.
 */
public enum BatchNormImplementation {
    /** {@link NativeBatchNorm}: libnd4j {@code batchnorm} op (oneDNN) plus BLAS reductions, optional fused ReLU. */
    NATIVE,
    /** DL4J's own {@code BatchNormalization} followed by separate activation layers. */
    STOCK;

    /** System property that selects the implementation: {@code native} or {@code stock}. */
    public static final String PROPERTY = "tsm4j.bn";

    /**
     * @return the implementation named by {@value #PROPERTY}; when unset, {@link #STOCK} if
     *     {@code -Dtsm4j.conv=stock} (the all-stock configuration), else {@link #NATIVE}
     * @throws IllegalArgumentException when the property names neither
     */
    public static BatchNormImplementation fromSystemProperty() {
        String v = System.getProperty(PROPERTY);
        if (v == null) {
            return ConvImplementation.fromSystemProperty() == ConvImplementation.STOCK ? STOCK : NATIVE;
        }
        try {
            return valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("System property " + PROPERTY + " must be 'native' or 'stock', found '"
                    + v + "'", e);
        }
    }
}
