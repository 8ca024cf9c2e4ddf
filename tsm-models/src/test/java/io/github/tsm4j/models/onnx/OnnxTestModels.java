package io.github.tsm4j.models.onnx;

import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Tiny models with non-trivial BatchNorm statistics and classifier, in double (the exact reference). */
final class OnnxTestModels {

    private OnnxTestModels() {
    }

    static TsmModel model(TsmConfig config, long seed) {
        TsmModel model = TsmModel.create(config, TsmModel.defaultLabels(config.numClasses()),
                TsmNetworks.defaultGlobals().dataType(DataType.DOUBLE).seed(seed));
        Nd4j.getRandom().setSeed(seed);
        for (Layer l : model.graph().getLayers()) {
            if (l.conf().getLayer() instanceof BatchNormalization) {
                Map<String, INDArray> p = l.paramTable();
                p.get(BatchNormalizationParamInitializer.GAMMA).assign(
                        Nd4j.rand(DataType.DOUBLE, p.get(BatchNormalizationParamInitializer.GAMMA).shape())
                                .mul(0.6).add(0.7));
                p.get(BatchNormalizationParamInitializer.BETA).assign(
                        Nd4j.randn(DataType.DOUBLE, p.get(BatchNormalizationParamInitializer.BETA).shape()).mul(0.1));
                p.get(BatchNormalizationParamInitializer.GLOBAL_MEAN).assign(
                        Nd4j.randn(DataType.DOUBLE, p.get(BatchNormalizationParamInitializer.GLOBAL_MEAN).shape())
                                .mul(0.1));
                p.get(BatchNormalizationParamInitializer.GLOBAL_VAR).assign(
                        Nd4j.rand(DataType.DOUBLE, p.get(BatchNormalizationParamInitializer.GLOBAL_VAR).shape())
                                .add(0.5));
            }
        }
        INDArray w = model.graph().getParam(TsmNetworks.FC + "_W");
        w.assign(Nd4j.randn(DataType.DOUBLE, w.shape()));
        return model;
    }

    /** Largest absolute difference over the largest absolute reference value. */
    static double relativeError(double[][] expected, float[][] actual) {
        double max = 0;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                max = Math.max(max, Math.abs(expected[i][j]));
                diff = Math.max(diff, Math.abs(expected[i][j] - actual[i][j]));
            }
        }
        return diff / max;
    }
}
