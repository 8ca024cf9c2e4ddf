package io.github.tsm4j.core.conv;

import java.util.Locale;

/**
 * Which layer the network builders use for convolutions. Both hold the same parameters in the same layouts
 * ({@code W} {@code [C_out, C_in, kH, kW]}; depthwise {@code [kH, kW, C, 1]}), so weights and imports do not care.
 */
public enum ConvImplementation {
    /** {@link NativeConv2D} / {@link NativeDepthwiseConv2D}: libnd4j ops, oneDNN in the onednn builds (default). */
    NATIVE,
    /** DL4J's own {@code ConvolutionLayer} / {@code DepthwiseConvolution2D} (no oneDNN in DL4J 1.0.0-M2.1). */
    STOCK;

    /** System property that selects the implementation: {@code native} (default) or {@code stock}. */
    public static final String PROPERTY = "tsm4j.conv";

    /**
     * @return the implementation named by {@value #PROPERTY}, {@link #NATIVE} when unset
     * @throws IllegalArgumentException when the property names neither
     */
    public static ConvImplementation fromSystemProperty() {
        String v = System.getProperty(PROPERTY, "native").trim();
        try {
            return valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("System property " + PROPERTY + " must be 'native' or 'stock', found '"
                    + v + "'", e);
        }
    }
}
