package io.github.tsm4j.core.layers;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.NoParamLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the parameter-free layer configurations of this package share: instantiation of the runtime layer,
 * equality, hash and text from one ordered map of settings, the CNN preprocessor and a memory report without
 * working memory (a subclass overrides the last two where its layer differs). Holds no fields, so the JSON form of
 * a subclass is its own fields only.
 */
abstract class TemporalLayerConfig extends NoParamLayer {

    private static final long serialVersionUID = 1L;

    /** For Jackson. */
    TemporalLayerConfig() {
    }

    TemporalLayerConfig(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super(builder);
    }

    /**
     * @param conf the layer's network configuration
     * @param networkDataType the network's data type
     * @return a new runtime layer for this configuration
     */
    abstract AbstractLayer<?> newRuntime(NeuralNetConfiguration conf, DataType networkDataType);

    /** @return the settings that define the layer besides its name, in a fixed order */
    abstract Map<String, Object> settings();

    /**
     * @param namesAndValues name, value, name, value, …
     * @return the settings in the given order
     */
    static Map<String, Object> settings(Object... namesAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    @Override
    public final org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerSupport.wire(newRuntime(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, getLayerName());
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return LayerSupport.noWorkingMemory(this, layerName, inputType, getOutputType(-1, inputType));
    }

    @Override
    public final boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o != null && o.getClass() == getClass() && super.equals(o)
                && settings().equals(((TemporalLayerConfig) o).settings());
    }

    @Override
    public final int hashCode() {
        return Objects.hash(super.hashCode(), settings());
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "(name=" + layerName + settings().entrySet().stream()
                .map(e -> ", " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining()) + ")";
    }
}
