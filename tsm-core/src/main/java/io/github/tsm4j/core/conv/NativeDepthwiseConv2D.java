package io.github.tsm4j.core.conv;

import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * A depthwise 2D convolution (channel multiplier 1, {@code groups = C}) executed by libnd4j's
 * {@code depthwise_conv2d} / {@code depthwise_conv2d_bp} ops (oneDNN in the onednn builds).
 *
 * <p>Parameters: {@code W} {@code [kH, kW, C, 1]} — the layout of DL4J's own {@code DepthwiseConvolution2D}, so
 * that either layer holds the same parameters; PyTorch's {@code Conv2d(C, C, k, groups=C).weight}
 * {@code [C, 1, kH, kW]} becomes ours by {@code permute(2, 3, 0, 1)} — and, with {@code hasBias}, {@code b}
 * {@code [1, C]}.
 * Input/output {@code [N, C, H, W]} (NCHW) or {@code [N, H, W, C]} (NHWC), {@code H' = (H + 2·pH − kH) / sH + 1}.
 * {@code nOut} always equals {@code nIn}.
 */
public final class NativeDepthwiseConv2D extends AbstractNativeConv {

    private static final long serialVersionUID = 1L;

    /** For Jackson. */
    private NativeDepthwiseConv2D() {
    }

    private NativeDepthwiseConv2D(Builder b) {
        super(b);
        if (nIn > 0 && nOut > 0 && nIn != nOut) {
            throw new IllegalArgumentException("NativeDepthwiseConv2D '" + layerName
                    + "': nOut must equal nIn (channel multiplier 1), found nIn " + nIn + ", nOut " + nOut);
        }
        if (nIn > 0) {
            nOut = nIn;
        }
    }

    @Override
    String opName() {
        return "depthwise_conv2d";
    }

    @Override
    int weightFormat() {
        return ConvOps.WEIGHT_FORMAT_HWIO;
    }

    @Override
    public long[] weightShape() {
        return new long[] {kernel[0], kernel[1], nIn, 1};
    }

    @Override
    double[] fans() {
        double k = (double) kernel[0] * kernel[1];
        return new double[] {k, k / ((double) stride[0] * stride[1])};
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        super.setNIn(inputType, override);
        nOut = nIn;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType instanceof InputType.InputTypeConvolutional c && nOut <= 0) {
            nOut = c.getChannels();
        }
        return super.getOutputType(layerIndex, inputType);
    }

    /** @return a builder (kernel 3×3, stride 1, padding 0, NCHW, no bias, IDENTITY) */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; the channel count {@code nIn} is inferred from the input type when not set. */
    public static final class Builder extends AbstractNativeConv.Builder<Builder> {
        /** Sets {@code nIn = nOut = channels}. */
        public Builder channels(long channels) {
            nIn(channels);
            return nOut(channels);
        }

        @Override
        @SuppressWarnings("unchecked")
        public NativeDepthwiseConv2D build() {
            return new NativeDepthwiseConv2D(this);
        }
    }
}
