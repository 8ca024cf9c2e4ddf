package io.github.tsm4j.core.conv;

/**
 * Which layer the network builders use for convolutions. Both hold the same parameters in the same layouts
 * ({@code W} {@code [C_out, C_in, kH, kW]}; depthwise {@code [kH, kW, C, 1]}), so weights and imports do not care.
 */
public enum ConvImplementation {
    /** {@link NativeConv2D} / {@link NativeDepthwiseConv2D}: libnd4j ops, oneDNN in the onednn builds (default). */
    NATIVE,
    /** DL4J's own {@code ConvolutionLayer} / {@code DepthwiseConvolution2D} (no oneDNN in DL4J 1.0.0-M2.1). */
    STOCK;
}
