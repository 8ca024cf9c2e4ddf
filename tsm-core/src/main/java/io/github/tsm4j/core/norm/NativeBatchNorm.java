package io.github.tsm4j.core.norm;

import io.github.tsm4j.core.conv.ConvActivation;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BatchNorm over the channels of a 4D activation (configuration), executed by libnd4j's {@code batchnorm} op
 * (oneDNN in the {@code nd4j-native} onednn builds) with the per-channel sums of training done by BLAS, plus an
 * optional activation fused in place ({@link ConvActivation#RELU} or {@link ConvActivation#RELU6}).
 *
 * <p>It <em>is</em> a DL4J {@link BatchNormalization} (this class extends it), so code that recognises BatchNorm
 * layers by type (BatchNorm freezing, weight-decay groups, folding, importers, parameter counts) treats it as one.
 * Parameters are the stock layer's, in the same order and shapes: {@code gamma}, {@code beta}, {@code mean},
 * {@code var}, each {@code [1, C]}; the running variance is stored as the variance ({@code useLogStd = false},
 * PyTorch's {@code running_var} copies unchanged; log-std storage and locked γ/β are rejected).
 *
 * <p>Semantics are PyTorch's {@code BatchNorm2d}: input {@code [N, C, H, W]} (NCHW) or {@code [N, H, W, C]} (NHWC),
 * output the same shape. Training normalises with the minibatch mean and biased variance over N·H·W values per
 * channel; the running estimates move by {@code mean ← decay·mean + (1 − decay)·batchMean} and
 * {@code var ← decay·var + (1 − decay)·batchVar·M/(M − 1)} (unbiased, M = N·H·W; decay 0.9 = PyTorch momentum 0.1).
 * Like DL4J's layer, the running estimates change through the parameter update that follows backpropagation (their
 * "gradient" is the step, with a no-op updater), so distributed parameter averaging and {@code decay = 1} freezing
 * work as with the stock layer. DL4J's stock layer puts the biased variance into its running estimate. Inference
 * normalises with the running estimates.
 */
public class NativeBatchNorm extends BatchNormalization {

    private static final long serialVersionUID = 1L;

    private ConvActivation fusedActivation = ConvActivation.IDENTITY;
    /** Run through oneDNN's own primitives ({@link BatchNormImplementation#ONEDNN}); false in JSON written before. */
    private boolean oneDnn;

    /** For Jackson and {@link #clone()}: stock defaults, but variance storage ({@code useLogStd = false}). */
    public NativeBatchNorm() {
        super();
        setUseLogStd(false);
    }

    private NativeBatchNorm(Builder b) {
        this();
        setLayerName(b.name);
        setNIn(b.channels);
        setNOut(b.channels);
        setEps(b.eps);
        setDecay(b.decay);
        setCnn2DFormat(b.format);
        this.fusedActivation = b.activation;
        this.oneDnn = b.oneDnn;
    }

    /**
     * Whether float32 BatchNorm with no activation or a fused ReLU runs through oneDNN's own batch-normalization
     * primitives held by the layer ({@link BatchNormImplementation#ONEDNN}); other data types and ReLU6 take the
     * libnd4j path.
     */
    public boolean isOneDnn() {
        return oneDnn;
    }

    /** See {@link #isOneDnn()}. */
    public void setOneDnn(boolean oneDnn) {
        this.oneDnn = oneDnn;
    }

    /** @return the activation applied in place to the normalised output */
    public ConvActivation getFusedActivation() {
        return fusedActivation;
    }

    /** Sets the activation applied in place to the normalised output. */
    public void setFusedActivation(ConvActivation activation) {
        this.fusedActivation = Objects.requireNonNull(activation, "activation");
    }

    /** Checks the options the native runtime supports; called when the layer is instantiated. */
    void validate(int layerIndex) {
        String id = "NativeBatchNorm '" + getLayerName() + "' (index " + layerIndex + ")";
        if (getNOut() <= 0 || getNIn() != getNOut()) {
            throw new IllegalArgumentException(id + ": channels must be > 0 with nIn = nOut, found nIn " + getNIn()
                    + ", nOut " + getNOut());
        }
        if (isUseLogStd()) {
            throw new IllegalArgumentException(id + ": useLogStd = true is not supported (the running variance is "
                    + "stored as variance); use DL4J's BatchNormalization for log10-std storage");
        }
        if (isLockGammaBeta()) {
            throw new IllegalArgumentException(id + ": lockGammaBeta = true is not supported");
        }
        if (!(getEps() >= 0) || !(getDecay() >= 0 && getDecay() <= 1)) {
            throw new IllegalArgumentException(id + ": eps must be >= 0 and decay in [0, 1], found eps " + getEps()
                    + ", decay " + getDecay());
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        validate(layerIndex);
        NativeBatchNormLayer layer = new NativeBatchNormLayer(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> table = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional)) {
            throw new IllegalArgumentException("NativeBatchNorm '" + getLayerName() + "': expected convolutional "
                    + "input (NCHW or NHWC), found " + inputType);
        }
        return inputType;
    }

    @Override
    public NativeBatchNorm clone() {
        return (NativeBatchNorm) super.clone();
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof NativeBatchNorm;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NativeBatchNorm other && super.equals(o) && fusedActivation == other.fusedActivation
                && oneDnn == other.oneDnn;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + fusedActivation.hashCode();
    }

    @Override
    public String toString() {
        return "NativeBatchNorm(fusedActivation=" + fusedActivation + ", oneDnn=" + oneDnn + ", " + super.toString() + ")";
    }

    /** @return a builder (eps 1e-5, decay 0.9, NCHW, no activation) */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@code channels} is required. */
    public static final class Builder {
        private String name;
        private int channels;
        private double eps = 1e-5;
        private double decay = 0.9;
        private CNN2DFormat format = CNN2DFormat.NCHW;
        private ConvActivation activation = ConvActivation.IDENTITY;
        private boolean oneDnn;

        private Builder() {
        }

        /** Layer name (the graph builder sets it from the vertex name). */
        public Builder name(String n) {
            name = n;
            return this;
        }

        /** Number of channels C (input = output). */
        public Builder channels(int c) {
            channels = c;
            return this;
        }

        /** Added to the variance before the square root (PyTorch {@code eps}, default 1e-5). */
        public Builder eps(double e) {
            eps = e;
            return this;
        }

        /** Running-average decay (default 0.9 = PyTorch momentum 0.1). */
        public Builder decay(double d) {
            decay = d;
            return this;
        }

        /** Data layout of input and output. */
        public Builder format(CNN2DFormat f) {
            format = Objects.requireNonNull(f, "format");
            return this;
        }

        /** Activation applied in place to the output: IDENTITY (default), RELU or RELU6. */
        public Builder activation(ConvActivation a) {
            activation = Objects.requireNonNull(a, "activation");
            return this;
        }

        /** Whether float32 BatchNorm runs through oneDNN's own primitives; see {@link NativeBatchNorm#isOneDnn()}. */
        public Builder oneDnn(boolean b) {
            oneDnn = b;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException for channels &lt;= 0, eps &lt; 0 or decay outside [0, 1]
         */
        public NativeBatchNorm build() {
            NativeBatchNorm bn = new NativeBatchNorm(this);
            bn.validate(-1);
            return bn;
        }
    }
}
