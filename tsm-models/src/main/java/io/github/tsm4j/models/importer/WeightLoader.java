package io.github.tsm4j.models.importer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Copies torchvision-named tensors into the parameters of a tsm-models graph, whose layers carry the
 * torchvision module paths as names. Layout conversions:
 * <ul>
 *   <li>convolution {@code W}: PyTorch {@code [out, in, kH, kW]} = DL4J, copied as is;</li>
 *   <li>depthwise convolution {@code W}: PyTorch {@code [C, 1, kH, kW]} to DL4J {@code [kH, kW, C, 1]};</li>
 *   <li>Linear / Dense {@code W}: PyTorch {@code [out, in]} transposed to DL4J {@code [in, out]}, bias
 *       {@code [out]} to {@code [1, out]};</li>
 *   <li>BatchNorm {@code weight, bias, running_mean, running_var} to {@code gamma, beta, mean, var} (tsm-models
 *       builds BatchNorm with {@code useLogStd(false)}, so the variance is stored as is).</li>
 * </ul>
 * Nothing is written unless every key fits: all problems are reported at once in a
 * {@link StateDictMismatchException}.
 */
final class WeightLoader {

    private record Slot(String key, Layer layer, String param, long[] torchShape, Kind kind) {}

    private enum Kind { CONV, DEPTHWISE, DENSE_W, VECTOR }

    private WeightLoader() {
    }

    /**
     * @param graph the network
     * @param sd torchvision-named state dict
     * @param skip keys that are deliberately left out (e.g. a dropped classifier): neither loaded nor reported
     * @param network description of the network for messages
     * @return number of tensors loaded
     */
    static int load(ComputationGraph graph, CanonicalStateDict sd, Set<String> skip, String network) {
        Map<String, Slot> slots = slots(graph);
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (!sd.tensors().containsKey(s.key()) && !skip.contains(s.key())) {
                missing.add(s.key());
            }
        }
        for (Map.Entry<String, TorchTensor> e : sd.tensors().entrySet()) {
            String key = e.getKey();
            if (skip.contains(key)) {
                continue;
            }
            String shown = shown(sd, key);
            Slot s = slots.get(key);
            if (s == null) {
                unexpected.add(shown);
            } else if (!Arrays.equals(s.torchShape(), e.getValue().shape())) {
                wrongShape.add(shown + ": checkpoint " + e.getValue().shapeString() + ", network " + Arrays.toString(s.torchShape()));
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !wrongShape.isEmpty()) {
            throw new StateDictMismatchException(network, missing, unexpected, wrongShape);
        }
        int n = 0;
        for (Slot s : slots.values()) {
            TorchTensor t = sd.tensors().get(s.key());
            if (t == null || skip.contains(s.key())) {
                continue;
            }
            INDArray param = s.layer().getParam(s.param());
            INDArray src = t.toINDArray().castTo(param.dataType());
            INDArray value = switch (s.kind()) {
                case CONV -> src;
                case DEPTHWISE -> src.permute(2, 3, 0, 1);
                case DENSE_W -> src.transpose();
                case VECTOR -> src.reshape(param.shape());
            };
            if (!Arrays.equals(value.shape(), param.shape())) {
                throw new IllegalStateException("parameter " + s.layer().conf().getLayer().getLayerName() + "." + s.param()
                        + " has shape " + Arrays.toString(param.shape()) + " but the converted tensor " + Arrays.toString(value.shape()));
            }
            param.assign(value);
            n++;
        }
        return n;
    }

    private static String shown(CanonicalStateDict sd, String key) {
        String orig = sd.originalKeys().getOrDefault(key, key);
        return orig.equals(key) ? key : orig + " (as " + key + ")";
    }

    /** Every parameter of the graph under its torchvision key. */
    private static Map<String, Slot> slots(ComputationGraph graph) {
        Map<String, Slot> out = new LinkedHashMap<>();
        for (Layer layer : graph.getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            String name = conf.getLayerName();
            if (layer.numParams() == 0) {
                continue;
            }
            // the native layers (io.github.tsm4j.core.conv, the builders' default) keep the stock layouts
            if (conf instanceof DepthwiseConvolution2D
                    || conf instanceof io.github.tsm4j.core.conv.NativeDepthwiseConv2D) {
                long[] w = layer.getParam("W").shape(); // [kH, kW, C, multiplier]
                put(out, new Slot(name + ".weight", layer, "W", new long[] {w[2] * w[3], 1, w[0], w[1]}, Kind.DEPTHWISE));
                requireNoBias(layer, name);
            } else if (conf instanceof ConvolutionLayer || conf instanceof io.github.tsm4j.core.conv.NativeConv2D) {
                put(out, new Slot(name + ".weight", layer, "W", layer.getParam("W").shape(), Kind.CONV));
                requireNoBias(layer, name);
            } else if (conf instanceof BatchNormalization bn) {
                if (bn.isUseLogStd()) {
                    throw new IllegalStateException("BatchNorm layer '" + name + "' stores log10(std); tsm-models builds "
                            + "useLogStd(false) so that PyTorch's running_var maps directly");
                }
                long c = layer.getParam("gamma").length();
                put(out, new Slot(name + ".weight", layer, "gamma", new long[] {c}, Kind.VECTOR));
                put(out, new Slot(name + ".bias", layer, "beta", new long[] {c}, Kind.VECTOR));
                put(out, new Slot(name + ".running_mean", layer, "mean", new long[] {c}, Kind.VECTOR));
                put(out, new Slot(name + ".running_var", layer, "var", new long[] {c}, Kind.VECTOR));
            } else if (conf instanceof DenseLayer) {
                long[] w = layer.getParam("W").shape(); // [in, out]
                put(out, new Slot(name + ".weight", layer, "W", new long[] {w[1], w[0]}, Kind.DENSE_W));
                put(out, new Slot(name + ".bias", layer, "b", new long[] {w[1]}, Kind.VECTOR));
            } else {
                throw new IllegalStateException("layer '" + name + "' of type " + conf.getClass().getSimpleName()
                        + " has parameters but no PyTorch counterpart");
            }
        }
        return out;
    }

    private static void requireNoBias(Layer layer, String name) {
        if (layer.paramTable().containsKey("b")) {
            throw new IllegalStateException("convolution '" + name + "' has a bias; torchvision convolutions have none");
        }
    }

    private static void put(Map<String, Slot> out, Slot s) {
        out.put(s.key(), s);
    }
}
