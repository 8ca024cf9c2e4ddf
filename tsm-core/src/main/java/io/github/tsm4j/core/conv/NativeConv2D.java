package io.github.tsm4j.core.conv;

/**
 * A 2D convolution layer (configuration) executed by libnd4j's {@code conv2d} / {@code conv2d_bp} ops, which
 * the {@code nd4j-native} oneDNN builds run in oneDNN.
 *
 * <p>Parameters: {@code W} {@code [C_out, C_in, kH, kW]} (PyTorch's {@code Conv2d.weight} and DL4J's
 * {@code ConvolutionLayer} layout, so weights copy over unchanged) and, with {@code hasBias}, {@code b}
 * {@code [1, C_out]}. Input {@code [N, C_in, H, W]} (NCHW) or {@code [N, H, W, C_in]} (NHWC), output
 * {@code [N, C_out, H', W']} or {@code [N, H', W', C_out]}, {@code H' = (H + 2·pH − kH) / sH + 1}: the same as
 * PyTorch's {@code Conv2d(padding=p)} and DL4J's {@code ConvolutionMode.Truncate} with explicit padding.
 */
public final class NativeConv2D extends AbstractNativeConv {

    private static final long serialVersionUID = 1L;

    /** For Jackson. */
    private NativeConv2D() {
    }

    private NativeConv2D(Builder b) {
        super(b);
        if (b.getNIn() <= 0 && b.getNOut() <= 0) {
            throw new IllegalArgumentException("NativeConv2D '" + layerName + "': nOut must be > 0, found "
                    + b.getNOut());
        }
    }

    @Override
    String opName() {
        return "conv2d";
    }

    @Override
    int weightFormat() {
        return ConvOps.WEIGHT_FORMAT_OIHW;
    }

    @Override
    public long[] weightShape() {
        return new long[] {nOut, nIn, kernel[0], kernel[1]};
    }

    @Override
    double[] fans() {
        double k = (double) kernel[0] * kernel[1];
        return new double[] {nIn * k, nOut * k / ((double) stride[0] * stride[1])};
    }

    /** @return a builder (kernel 3×3, stride 1, padding 0, NCHW, no bias, IDENTITY) */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@code nOut} is required, {@code nIn} is inferred from the input type when not set. */
    public static final class Builder extends AbstractNativeConv.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public NativeConv2D build() {
            return new NativeConv2D(this);
        }
    }
}
