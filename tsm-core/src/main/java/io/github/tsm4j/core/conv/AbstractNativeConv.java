package io.github.tsm4j.core.conv;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Shared configuration of the native convolutions: square or rectangular kernel, stride, symmetric zero
 * padding (PyTorch semantics, dilation 1), data format, optional bias, and an activation applied in place.
 *
 * <p>Input {@code [N, C, H, W]} (NCHW) or {@code [N, H, W, C]} (NHWC); output the same layout with
 * {@code H' = (H + 2·pH − kH) / sH + 1}. The graph's {@link InputType} must declare the same format.
 */
public abstract class AbstractNativeConv extends FeedForwardLayer {

    private static final long serialVersionUID = 1L;

    protected int[] kernel = {3, 3};
    protected int[] stride = {1, 1};
    protected int[] padding = {0, 0};
    protected CNN2DFormat format = CNN2DFormat.NCHW;
    protected boolean hasBias;
    protected ConvActivation convActivation = ConvActivation.IDENTITY;
    /** Run through oneDNN's own primitives ({@link ConvImplementation#ONEDNN}); false in JSON written before. */
    protected boolean oneDnn;
    /** The input is data (the network's input): no gradient with respect to it; false in JSON written before. */
    protected boolean dataInput;

    /** For Jackson. */
    protected AbstractNativeConv() {
    }

    protected AbstractNativeConv(Builder<?> b) {
        super(b);
        this.kernel = check(b.kernel, 1, "kernel");
        this.stride = check(b.stride, 1, "stride");
        this.padding = check(b.padding, 0, "padding");
        this.format = b.format;
        this.hasBias = b.hasBias;
        this.convActivation = b.convActivation;
        this.oneDnn = b.oneDnn;
        this.dataInput = b.dataInput;
        this.activationFn = b.convActivation.toDl4j().getActivationFunction();
    }

    private int[] check(int[] v, int min, String what) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + layerName + "': " + what
                    + " must be two values >= " + min + ", found " + Arrays.toString(v));
        }
        return v.clone();
    }

    /** @return {@code conv2d} or {@code depthwise_conv2d} */
    abstract String opName();

    /** @return libnd4j's weight-format argument for {@link #weightShape()} */
    abstract int weightFormat();

    /** @return the weight parameter's shape */
    public abstract long[] weightShape();

    /** @return fan-in and fan-out for weight initialisation */
    abstract double[] fans();

    public int[] getKernel() {
        return kernel.clone();
    }

    public int[] getStride() {
        return stride.clone();
    }

    public int[] getPadding() {
        return padding.clone();
    }

    public CNN2DFormat getFormat() {
        return format;
    }

    public boolean isHasBias() {
        return hasBias;
    }

    public ConvActivation getConvActivation() {
        return convActivation;
    }

    /**
     * Whether float32 convolutions run through oneDNN's own primitives held by the layer
     * ({@link ConvImplementation#ONEDNN}) instead of libnd4j's ops; other data types, and depthwise convolutions,
     * always take libnd4j's ops.
     */
    public boolean isOneDnn() {
        return oneDnn;
    }

    /** See {@link #isOneDnn()}. */
    public void setOneDnn(boolean oneDnn) {
        this.oneDnn = oneDnn;
    }

    /**
     * Whether the layer's input is data — the network's own input, of which no gradient is wanted: then
     * {@code backpropGradient} computes only the parameter gradients and returns a null input gradient (DL4J drops
     * an input's gradient anyway in training; {@code ComputationGraph.backpropGradient} returns null for that input).
     * With oneDNN primitives this skips the backward-data convolution (for ResNet-50's stem at 2 × 8 frames of 224 px,
     * ~40 ms of a training step); libnd4j's op computes it and drops it.
     */
    public boolean isDataInput() {
        return dataInput;
    }

    /** See {@link #isDataInput()}. */
    public void setDataInput(boolean dataInput) {
        this.dataInput = dataInput;
    }

    /** Enables or disables the bias (used by BatchNorm folding before the network is built). */
    public void setHasBias(boolean hasBias) {
        this.hasBias = hasBias;
    }

    /** Sets the in-place activation (used by BatchNorm/activation folding before the network is built). */
    public void setConvActivation(ConvActivation convActivation) {
        this.convActivation = convActivation;
        this.activationFn = convActivation.toDl4j().getActivationFunction();
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        NativeConvLayer layer = new NativeConvLayer(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> table = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return NativeConvParamInitializer.INSTANCE;
    }

    private InputType.InputTypeConvolutional requireConv(InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional c)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + layerName
                    + "': expected convolutional input, found " + inputType);
        }
        if (c.getFormat() != format) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + layerName + "': input format "
                    + c.getFormat() + " but the layer is configured for " + format);
        }
        return c;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional c = requireConv(inputType);
        long h = ConvOps.outSize(c.getHeight(), kernel[0], stride[0], padding[0]);
        long w = ConvOps.outSize(c.getWidth(), kernel[1], stride[1], padding[1]);
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " '" + layerName + "': input "
                    + c.getHeight() + "x" + c.getWidth() + " too small for kernel " + Arrays.toString(kernel)
                    + " with padding " + Arrays.toString(padding));
        }
        return InputType.convolutional(h, w, nOut, format);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        InputType.InputTypeConvolutional c = requireConv(inputType);
        if (nIn <= 0 || override) {
            nIn = c.getChannels();
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (inputType instanceof InputType.InputTypeConvolutional) {
            return null;
        }
        return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, getLayerName());
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        long numParams = initializer().numParams(this);
        long updaterState = getIUpdater() == null ? 0 : getIUpdater().stateSize(numParams);
        // training keeps the activated output for the activation's backward pass; no im2col buffers
        return new LayerMemoryReport.Builder(layerName, getClass(), inputType, out)
                .standardMemory(numParams, updaterState)
                .workingMemory(0, 0, 0, out.arrayElementsPerExample())
                .cacheMemory(0, 0)
                .build();
    }

    @Override
    public AbstractNativeConv clone() {
        AbstractNativeConv c = (AbstractNativeConv) super.clone();
        c.kernel = kernel.clone();
        c.stride = stride.clone();
        c.padding = padding.clone();
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AbstractNativeConv other) || !super.equals(o)) {
            return false;
        }
        return Arrays.equals(kernel, other.kernel) && Arrays.equals(stride, other.stride)
                && Arrays.equals(padding, other.padding) && format == other.format && hasBias == other.hasBias
                && convActivation == other.convActivation && oneDnn == other.oneDnn && dataInput == other.dataInput;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Arrays.hashCode(kernel) + 7 * Arrays.hashCode(stride) + format.hashCode();
    }

    /** Builder of the shared options; defaults: kernel 3×3, stride 1, padding 0, NCHW, no bias, IDENTITY. */
    public abstract static class Builder<T extends Builder<T>> extends FeedForwardLayer.Builder<T> {
        int[] kernel = {3, 3};
        int[] stride = {1, 1};
        int[] padding = {0, 0};
        CNN2DFormat format = CNN2DFormat.NCHW;
        boolean hasBias;
        ConvActivation convActivation = ConvActivation.IDENTITY;
        boolean oneDnn;
        boolean dataInput;

        @SuppressWarnings("unchecked")
        private T self() {
            return (T) this;
        }

        /** Kernel height and width. */
        public T kernel(int kH, int kW) {
            kernel = new int[] {kH, kW};
            return self();
        }

        /** Stride along height and width. */
        public T stride(int sH, int sW) {
            stride = new int[] {sH, sW};
            return self();
        }

        /** Symmetric zero padding along height and width (PyTorch {@code padding}). */
        public T padding(int pH, int pW) {
            padding = new int[] {pH, pW};
            return self();
        }

        /** Data layout of input and output. */
        public T format(CNN2DFormat f) {
            format = java.util.Objects.requireNonNull(f, "format");
            return self();
        }

        /** Whether the layer has a bias {@code [1, C_out]}. */
        public T hasBias(boolean b) {
            hasBias = b;
            return self();
        }

        /** Whether float32 convolutions run through oneDNN's own primitives; see {@link #isOneDnn()}. */
        public T oneDnn(boolean b) {
            oneDnn = b;
            return self();
        }

        /** Whether the input is the network's data, of which no gradient is computed; see {@link #isDataInput()}. */
        public T dataInput(boolean b) {
            dataInput = b;
            return self();
        }

        /** Activation applied in place to the output. */
        public T convActivation(ConvActivation a) {
            convActivation = java.util.Objects.requireNonNull(a, "convActivation");
            return self();
        }
    }
}
