package io.github.tsm4j.core.conv;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.scalar.Relu6;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.Relu6Derivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Thin calls of libnd4j's convolution ops with explicit outputs. The libnd4j integer arguments are
 * {@code kH, kW, sH, sW, pH, pW, dH, dW, paddingMode (0 = explicit/VALID), dataFormat (0 = NCHW, 1 = NHWC),
 * weightFormat}; we use weight format 1, {@code [oC, iC, kH, kW]}, for {@code conv2d} and 0,
 * {@code [kH, kW, iC, mC]}, for {@code depthwise_conv2d} (the oneDNN platform helper reorders weights per call
 * into its blocked layout whatever the format).
 */
public final class ConvOps {

    /** libnd4j weight format {@code [oC, iC, kH, kW]} (PyTorch / DL4J ConvolutionLayer layout). */
    static final int WEIGHT_FORMAT_OIHW = 1;
    /** libnd4j weight format {@code [kH, kW, iC, oC]} ({@code [kH, kW, C, 1]} for depthwise: DL4J's layout). */
    static final int WEIGHT_FORMAT_HWIO = 0;

    private ConvOps() {
    }

    static int[] intArgs(int[] kernel, int[] stride, int[] padding, CNN2DFormat format, int weightFormat) {
        return new int[] {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], 1, 1, 0,
            format == CNN2DFormat.NHWC ? 1 : 0, weightFormat};
    }

    /**
     * Output spatial size of a symmetric-padding convolution (PyTorch rule).
     *
     * @return {@code (in + 2·pad − k) / stride + 1}
     */
    public static long outSize(long in, int k, int stride, int pad) {
        return (in + 2L * pad - k) / stride + 1;
    }

    /**
     * Runs {@code op} ({@code conv2d} or {@code depthwise_conv2d}) writing into {@code out}.
     *
     * @param bias {@code [oC]} or {@code [1, oC]}, or null
     */
    static void forward(String op, INDArray in, INDArray w, INDArray bias, INDArray out, int[] iArgs) {
        INDArray[] inputs = bias == null ? new INDArray[] {in, w} : new INDArray[] {in, w, bias};
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(op).addInputs(inputs).addOutputs(out);
        b.addIntegerArguments(iArgs);
        Nd4j.exec(b.build());
    }

    /** Runs {@code op + "_bp"}: writes {@code gradIn}, {@code gradW} and (when bias is set) {@code gradB}. */
    static void backward(String op, INDArray in, INDArray w, INDArray bias, INDArray gradOut, INDArray gradIn,
            INDArray gradW, INDArray gradB, int[] iArgs) {
        INDArray[] inputs = bias == null ? new INDArray[] {in, w, gradOut} : new INDArray[] {in, w, bias, gradOut};
        INDArray[] outputs = bias == null ? new INDArray[] {gradIn, gradW} : new INDArray[] {gradIn, gradW, gradB};
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(op + "_bp").addInputs(inputs)
                .addOutputs(outputs);
        b.addIntegerArguments(iArgs);
        Nd4j.exec(b.build());
    }

    /** Applies the activation to {@code x} in place. */
    static void activateInPlace(ConvActivation activation, INDArray x) {
        switch (activation) {
            case IDENTITY -> {
            }
            case RELU -> Nd4j.exec(new RectifiedLinear(x, x, 0.0));
            case RELU6 -> Nd4j.exec(new Relu6(x, x, 0.0));
        }
    }

    /**
     * Gradient through the activation, computed from the activated output (its sign pattern equals the
     * pre-activation's for ReLU and ReLU6).
     *
     * @return {@code gradOut} itself for IDENTITY, else {@code target} filled with the gradient
     */
    static INDArray activationBackward(ConvActivation activation, INDArray activated, INDArray gradOut,
            INDArray target) {
        return switch (activation) {
            case IDENTITY -> gradOut;
            case RELU -> {
                Nd4j.exec(new RectifiedLinearDerivative(activated, gradOut, target));
                yield target;
            }
            case RELU6 -> {
                Nd4j.exec(new Relu6Derivative(activated, gradOut, target));
                yield target;
            }
        };
    }
}
