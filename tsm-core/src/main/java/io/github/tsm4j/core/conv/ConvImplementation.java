package io.github.tsm4j.core.conv;

/**
 * Which layer the network builders use for convolutions. Both hold the same parameters in the same layouts
 * ({@code W} {@code [C_out, C_in, kH, kW]}; depthwise {@code [kH, kW, C, 1]}), so weights and imports do not care.
 */
public enum ConvImplementation {
    /** {@link NativeConv2D} / {@link NativeDepthwiseConv2D}: libnd4j ops, oneDNN in the onednn builds (default). */
    NATIVE,
    /**
     * {@link NativeConv2D} whose float32 convolutions run through oneDNN's own primitives, created once per layer
     * and input shape, in the layer's activation layout (no per-call primitive set-up, no activation reorders):
     * training's backward pass several times faster than libnd4j's {@code conv2d_bp}. Needs oneDNN's natives
     * ({@link OneDnn#NATIVE_ARTIFACTS}): where they do not load, the layers log one warning and run libnd4j's ops
     * (the same results, as every choice here gives), so a model saved with this choice loads anywhere. Other data
     * types and depthwise convolutions take libnd4j's ops as {@link #NATIVE}.
     */
    ONEDNN,
    /** DL4J's own {@code ConvolutionLayer} / {@code DepthwiseConvolution2D} (no oneDNN in DL4J 1.0.0-M2.1). */
    STOCK;
}
