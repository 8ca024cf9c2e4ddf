package io.github.tsm4j.core.layers.runtime;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Common runtime plumbing of tsm4j's parameter-free DL4J layers: no parameters, no regularisation, no
 * pretraining, and error messages that name the layer.
 *
 * @param <C> the configuration class
 */
abstract class NoParamLayerImpl<C extends org.deeplearning4j.nn.conf.layers.Layer> extends AbstractLayer<C> {

    private static final long serialVersionUID = 1L;

    NoParamLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // no parameters, so no noise on them
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return 0;
    }

    @Override
    public Layer.Type type() {
        return Layer.Type.CONVOLUTIONAL;
    }

    /** "TemporalShiftLayer 'name' (layer index i)" for messages. */
    String who() {
        String name = layerConf().getLayerName();
        String type = layerConf().getClass().getSimpleName();
        return (name == null ? type : type + " '" + name + "'") + " (layer index " + index + ")";
    }

    /** Re-throws a validation failure of the shared kernels with the layer's name in front. */
    IllegalArgumentException named(IllegalArgumentException e) {
        return new IllegalArgumentException(who() + ": " + e.getMessage(), e);
    }
}
