package io.github.tsm4j.core.conv;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime of {@link NativeConv2D} and {@link NativeDepthwiseConv2D}: forward runs libnd4j's
 * {@code conv2d}/{@code depthwise_conv2d} op (or, for {@link AbstractNativeConv#isOneDnn()} float32 convolutions,
 * the layer's own oneDNN primitives) into an array of the {@link ArrayType#ACTIVATIONS} workspace, then the
 * activation in place; backward runs the matching {@code _bp} op, writing the parameter gradients straight into
 * the network's gradient views and the input gradient into {@link ArrayType#ACTIVATION_GRAD}.
 *
 * <p>Ownership: in training the layer keeps a reference to its activated output (in the activations workspace,
 * which stays open until backpropagation ends) to compute the ReLU/ReLU6 derivative without recomputing the
 * convolution.
 */
public final class NativeConvLayer extends BaseLayer<AbstractNativeConv> {

    private static final long serialVersionUID = 1L;

    private transient INDArray lastOutput;
    private transient OneDnnConv oneDnn;

    NativeConvLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private int[] intArgs() {
        AbstractNativeConv c = layerConf();
        return ConvOps.intArgs(c.kernel, c.stride, c.padding, c.format, c.weightFormat());
    }

    private void checkInput(INDArray in) {
        AbstractNativeConv c = layerConf();
        int channelDim = c.format == CNN2DFormat.NHWC ? 3 : 1;
        if (in.rank() != 4 || in.size(channelDim) != c.getNIn()) {
            throw new IllegalArgumentException(c.getClass().getSimpleName() + " '" + c.getLayerName()
                    + "' (index " + index + "): expected input " + (c.format == CNN2DFormat.NHWC
                    ? "[N, H, W, " + c.getNIn() + "] (NHWC)" : "[N, " + c.getNIn() + ", H, W] (NCHW)")
                    + ", found " + Arrays.toString(in.shape()));
        }
    }

    private long[] outShape(INDArray in) {
        AbstractNativeConv c = layerConf();
        boolean nhwc = c.format == CNN2DFormat.NHWC;
        long h = ConvOps.outSize(in.size(nhwc ? 1 : 2), c.kernel[0], c.stride[0], c.padding[0]);
        long w = ConvOps.outSize(in.size(nhwc ? 2 : 3), c.kernel[1], c.stride[1], c.padding[1]);
        return nhwc ? new long[] {in.size(0), h, w, c.getNOut()} : new long[] {in.size(0), c.getNOut(), h, w};
    }

    /** The layer's oneDNN primitives when the configuration asks for them and every array suits them, else null. */
    private OneDnnConv oneDnnFor(INDArray... arrays) {
        AbstractNativeConv c = layerConf();
        if (!c.oneDnn || !"conv2d".equals(c.opName()) || !OneDnn.suits(arrays)
                || !OneDnn.availableFor("convolutions", c.getLayerName())) {
            return null;
        }
        if (oneDnn == null) {
            oneDnn = new OneDnnConv(c.kernel, c.stride, c.padding, c.format, c.getNIn(), c.getNOut(), c.hasBias);
        }
        return oneDnn;
    }

    private INDArray contiguousInput() {
        return input.isView() || input.ordering() != 'c' ? input.dup('c') : input;
    }

    /** DL4J's regularisation score, its sums of squares on the host ({@link io.github.tsm4j.core.RegularizationScore}). */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return io.github.tsm4j.core.RegularizationScore.of(paramTable(), layerConf(), getIterationCount(),
                getEpochCount());
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        checkInput(input);
        AbstractNativeConv c = layerConf();
        INDArray in = contiguousInput();
        INDArray w = getParamWithNoise(NativeConvParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray b = c.hasBias ? getParamWithNoise(NativeConvParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, in.dataType(), outShape(in), 'c');
        OneDnnConv direct = oneDnnFor(in, w, b, out);
        if (direct != null) {
            direct.forward(in, w, b, out, training);
        } else {
            ConvOps.forward(c.opName(), in, w, b, out, intArgs());
        }
        ConvOps.activateInPlace(c.convActivation, out);
        lastOutput = training ? out : null;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        AbstractNativeConv c = layerConf();
        INDArray eps = epsilon.isView() || epsilon.ordering() != 'c' ? epsilon.dup('c') : epsilon;
        if (c.convActivation != ConvActivation.IDENTITY) {
            if (lastOutput == null) {
                throw new IllegalStateException(c.getClass().getSimpleName() + " '" + c.getLayerName()
                        + "': backpropGradient without a preceding activate(training = true)");
            }
            INDArray target = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, eps.dataType(),
                    eps.shape(), 'c');
            eps = ConvOps.activationBackward(c.convActivation, lastOutput, eps, target);
        }
        INDArray in = contiguousInput();
        INDArray w = getParamWithNoise(NativeConvParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray b = c.hasBias ? getParamWithNoise(NativeConvParamInitializer.BIAS_KEY, true, workspaceMgr) : null;
        INDArray gradW = gradientViews.get(NativeConvParamInitializer.WEIGHT_KEY);
        INDArray gradB = c.hasBias ? gradientViews.get(NativeConvParamInitializer.BIAS_KEY) : null;
        OneDnnConv direct = oneDnnFor(in, w, b, eps, gradW, gradB);
        INDArray gradIn = c.dataInput && direct != null ? null : workspaceMgr.createUninitialized(c.dataInput
                ? ArrayType.BP_WORKING_MEM : ArrayType.ACTIVATION_GRAD, in.dataType(), in.shape(), 'c');
        if (direct != null && OneDnn.suits(gradIn)) {
            direct.backward(in, w, eps, gradIn, gradW, gradB);
        } else {
            ConvOps.backward(c.opName(), in, w, b, eps, gradIn, gradW, gradB, intArgs());
        }
        if (c.dataInput) {
            gradIn = null; // data: no gradient wanted (libnd4j's op computed one into working memory)
        }
        Gradient g = new DefaultGradient();
        g.gradientForVariable().put(NativeConvParamInitializer.WEIGHT_KEY, gradW);
        if (c.hasBias) {
            g.gradientForVariable().put(NativeConvParamInitializer.BIAS_KEY, gradB);
        }
        return new Pair<>(g, gradIn == null ? null : backpropDropOutIfPresent(gradIn));
    }

    @Override
    public void clear() {
        super.clear();
        lastOutput = null;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public Layer.Type type() {
        return Layer.Type.CONVOLUTIONAL;
    }

    @Override
    public boolean hasBias() {
        return layerConf().hasBias;
    }
}
