package io.github.tsm4j.core.layers;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Shared plumbing of the configuration classes (validation messages, instantiation, memory reports). */
final class LayerSupport {

    private LayerSupport() {
    }

    static String describe(Layer layer, String name) {
        return describe(layer.getClass().getSimpleName(), name);
    }

    static String describe(String type, String name) {
        return name == null ? type : type + " '" + name + "'";
    }

    static void requireSegments(String who, int segments) {
        if (segments < 1) {
            throw new IllegalArgumentException(who + ": segments must be >= 1 (set it with .segments(T)), found "
                    + segments);
        }
    }

    static void requireNonNull(String who, String what, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(who + ": " + what + " must not be null");
        }
    }

    static <L extends AbstractLayer<?>> L wire(L ret, Layer config, NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams) {
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = config.initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    /** The input as a convolutional type in the configured layout, or an exception naming the layer. */
    static InputType.InputTypeConvolutional convolutional(Layer layer, String name, int layerIndex,
            InputType inputType, CNN2DFormat dataFormat) {
        String who = describe(layer, name) + (layerIndex >= 0 ? " (layer index " + layerIndex + ")" : "");
        if (!(inputType instanceof InputType.InputTypeConvolutional conv)) {
            throw new IllegalArgumentException(who + ": expected convolutional input "
                    + (dataFormat == CNN2DFormat.NCHW ? "[N·T, C, H, W] (NCHW)" : "[N·T, H, W, C] (NHWC)")
                    + ", found input type " + inputType);
        }
        if (conv.getFormat() != dataFormat) {
            throw new IllegalArgumentException(who + ": configured dataFormat " + dataFormat
                    + " but the input type is " + conv.getFormat() + " (" + inputType
                    + "); set .dataFormat(CNN2DFormat." + conv.getFormat() + ")");
        }
        return conv;
    }

    /** A shift needs at least foldDiv channels (else fold = 0 and nothing moves). */
    static void requireShiftableChannels(Layer layer, String name, InputType.InputTypeConvolutional conv, int foldDiv,
            InputType inputType) {
        if (conv.getChannels() < foldDiv) {
            throw new IllegalArgumentException(describe(layer, name) + ": channels C = " + conv.getChannels()
                    + " < foldDiv = " + foldDiv + " (fold would be 0 and nothing would shift); input type "
                    + inputType);
        }
    }

    static LayerMemoryReport noWorkingMemory(Layer layer, String name, InputType in, InputType out) {
        return new LayerMemoryReport.Builder(name, layer.getClass(), in, out)
                .standardMemory(0, 0)
                .workingMemory(0, 0, MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }
}
