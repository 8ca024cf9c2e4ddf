package io.github.tsm4j.core.norm;

import io.github.tsm4j.core.conv.ConvActivation;
import java.util.Collection;
import java.util.Objects;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A ReLU or ReLU6 activation layer (configuration) for the places where the activation cannot be fused into the
 * preceding layer, e.g. after a residual add. It is a DL4J {@link ActivationLayer} (same {@code activationFn}, so
 * code that inspects activation layers keeps working) whose runtime writes the activation in one pass (the stock
 * layer copies its input, then activates the copy) and backpropagates from its output with two streaming passes
 * ({@code sign(output)·gradient} for ReLU; the stock layer copies the input again and runs libnd4j's slower
 * {@code RectifiedLinearDerivative}). Any input shape; output the same shape.
 */
public class NativeActivation extends ActivationLayer {

    private static final long serialVersionUID = 1L;

    private ConvActivation activation = ConvActivation.RELU;
    /** In a training step, overwrite the input with the activation and return it (see the class javadoc). */
    private boolean inPlaceInTraining;
    /** Backward pass as oneDNN's primitive (float32); false in JSON written before. */
    private boolean oneDnn;

    /** For Jackson: ReLU. */
    public NativeActivation() {
        this(ConvActivation.RELU);
    }

    /**
     * @param activation RELU or RELU6 (IDENTITY is allowed and copies)
     */
    public NativeActivation(ConvActivation activation) {
        super(Objects.requireNonNull(activation, "activation").toDl4j());
        this.activation = activation;
    }

    /**
     * @param activation RELU or RELU6 (IDENTITY is allowed and copies)
     * @param inPlaceInTraining whether a training step overwrites the input with the activation instead of writing a
     *     new array: only where this layer is the only reader of its input and the input's producer does not need
     *     its own output in backpropagation (the ReLU after a residual add); with {@link #oneDnn(boolean)} the
     *     backward pass then writes the input gradient over that array too ({@link NativeActivationLayer})
     */
    public NativeActivation(ConvActivation activation, boolean inPlaceInTraining) {
        this(activation);
        this.inPlaceInTraining = inPlaceInTraining;
    }

    /** @return the activation */
    public ConvActivation getActivation() {
        return activation;
    }

    /**
     * Whether the backward pass of float32 arrays runs as one oneDNN primitive (one pass; the same values) instead
     * of libnd4j's two passes; other data types, or where oneDNN's natives do not load (one warning), libnd4j's.
     * The network builders set it where oneDNN runs the convolutions or the BatchNorms.
     */
    public boolean isOneDnn() {
        return oneDnn;
    }

    /** See {@link #isOneDnn()}. */
    public void setOneDnn(boolean oneDnn) {
        this.oneDnn = oneDnn;
    }

    /**
     * @param oneDnn see {@link #isOneDnn()}
     * @return this
     */
    public NativeActivation oneDnn(boolean oneDnn) {
        this.oneDnn = oneDnn;
        return this;
    }

    /** @return whether a training step runs in place on the input */
    public boolean isInPlaceInTraining() {
        return inPlaceInTraining;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        NativeActivationLayer layer = new NativeActivationLayer(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public NativeActivation clone() {
        return (NativeActivation) super.clone();
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof NativeActivation;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NativeActivation other && super.equals(o) && activation == other.activation
                && inPlaceInTraining == other.inPlaceInTraining && oneDnn == other.oneDnn;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * super.hashCode() + activation.hashCode()) + Boolean.hashCode(inPlaceInTraining);
    }

    @Override
    public String toString() {
        return "NativeActivation(" + activation + (inPlaceInTraining ? ", in place in training" : "")
                + (oneDnn ? ", oneDNN backward" : "")
                + ", name=" + getLayerName() + ")";
    }
}
