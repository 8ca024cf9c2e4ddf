package io.github.tsm4j.core.conv;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters of the native convolutions, as views of the network's flat parameter vector, in the order
 * {@code W} then {@code b}: {@code W} has {@link AbstractNativeConv#weightShape()}, {@code b} is {@code [1, C_out]}.
 */
public final class NativeConvParamInitializer implements ParamInitializer {

    /** Weight parameter key. */
    public static final String WEIGHT_KEY = "W";
    /** Bias parameter key. */
    public static final String BIAS_KEY = "b";

    static final NativeConvParamInitializer INSTANCE = new NativeConvParamInitializer();

    private NativeConvParamInitializer() {
    }

    private static AbstractNativeConv conv(Layer layer) {
        return (AbstractNativeConv) layer;
    }

    private static long weightCount(AbstractNativeConv c) {
        long n = 1;
        for (long d : c.weightShape()) {
            n *= d;
        }
        return n;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        AbstractNativeConv c = conv(layer);
        return weightCount(c) + (c.isHasBias() ? c.getNOut() : 0);
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return conv(layer).isHasBias() ? List.of(WEIGHT_KEY, BIAS_KEY) : List.of(WEIGHT_KEY);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of(WEIGHT_KEY);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return conv(layer).isHasBias() ? List.of(BIAS_KEY) : List.of();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHT_KEY.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIAS_KEY.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        AbstractNativeConv c = conv(conf.getLayer());
        Map<String, INDArray> views = split(c, paramsView);
        if (initializeParams) {
            double[] fans = c.fans();
            c.getWeightInitFn().init(fans[0], fans[1], c.weightShape(), 'c', views.get(WEIGHT_KEY));
            if (c.isHasBias()) {
                views.get(BIAS_KEY).assign(c.getBiasInit());
            }
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return split(conv(conf.getLayer()), gradientView);
    }

    private static Map<String, INDArray> split(AbstractNativeConv c, INDArray flat) {
        long nW = weightCount(c);
        long expected = nW + (c.isHasBias() ? c.getNOut() : 0);
        if (flat.length() != expected) {
            throw new IllegalArgumentException(c.getClass().getSimpleName() + " '" + c.getLayerName()
                    + "': parameter view has " + flat.length() + " values, expected " + expected);
        }
        INDArray row = flat.reshape('c', 1, flat.length());
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(WEIGHT_KEY, row.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, nW))
                .reshape('c', c.weightShape()));
        if (c.isHasBias()) {
            out.put(BIAS_KEY, row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(nW, expected)));
        }
        return out;
    }
}
