package io.github.tsm4j.core.conv;

/**
 * How a {@link BoundConv} holds its layer's weights when the convolution runs on oneDNN, whose kernels read the
 * weights in a blocked layout of their own (e.g. {@code Acdb64a}) rather than DL4J's {@code [C_out, C_in, kH, kW]}.
 */
public enum WeightBinding {

    /**
     * The layer's weight array is reordered into oneDNN's layout on every run (into a buffer shared by all
     * convolutions of the thread): changing the parameters in place is seen by the next run, and no memory is held
     * per layer. Where the weights do not fit in the caches (TSM-ResNet-50's 100 MB) the reorder costs about what
     * the convolution's own cold read of the weights would, so this is as fast as {@link #CAPTURED}.
     */
    BY_REFERENCE,

    /**
     * The weights are reordered into oneDNN's layout once, when the convolution is bound, into memory of its own
     * (one more copy of the layer's weights); later changes of the layer's parameters are not seen. Each run skips
     * the reorder: where the network's weights stay in the caches between calls (online MobileNetV2, 14 MB) a frame
     * takes about a fifth less time. Convolutions that do not run on oneDNN bind by reference either way.
     */
    CAPTURED
}
