package io.github.tsm4j.models.infer;

import io.github.tsm4j.core.conv.AbstractNativeConv;
import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.NativeConv2D;
import io.github.tsm4j.core.conv.NativeDepthwiseConv2D;
import io.github.tsm4j.core.norm.NativeBatchNorm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the inference form of a trained {@link ComputationGraph}: every convolution becomes a native
 * ({@link NativeConv2D} / {@link NativeDepthwiseConv2D}, oneDNN-backed) layer; a BatchNorm that is the sole
 * consumer of a convolution is folded into it ({@code W' = W·γ/√(σ²+ε)} per output channel,
 * {@code b' = β + (b − μ)·γ/√(σ²+ε)}); a ReLU/ReLU6 {@link ActivationLayer} that is the sole consumer of such a
 * pair is fused too, as is the activation a {@link NativeBatchNorm} carries itself. Everything else (shifts, pooling, adds, head) is copied with its parameters. The data
 * layout is kept: build the network NHWC ({@code TsmConfig.dataFormat}) for the fast CPU path.
 *
 * <p>The result computes the same function in inference mode (BatchNorm's running statistics) up to float
 * rounding; it must not be trained (there is no BatchNorm left).
 */
public final class InferenceGraphs {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceGraphs.class);

    private InferenceGraphs() {
    }

    /** What happened to a graph: counts of converted convolutions, folded BatchNorms, fused activations. */
    public record FoldReport(int convolutions, int foldedBatchNorms, int fusedActivations) {
    }

    /**
     * Returns the folded inference graph (a new network; the argument is not modified).
     *
     * @param trained an initialised graph with trained parameters
     * @return the inference graph, initialised, with folded parameters
     */
    public static ComputationGraph foldBatchNorm(ComputationGraph trained) {
        return fold(trained).graph();
    }

    /** Result of {@link #fold}. */
    public record Folded(ComputationGraph graph, FoldReport report) {
    }

    /**
     * As {@link #foldBatchNorm}, also reporting what was folded.
     *
     * @param trained an initialised graph with trained parameters
     * @return the inference graph and the report
     */
    public static Folded fold(ComputationGraph trained) {
        ComputationGraphConfiguration conf = trained.getConfiguration().clone();
        Map<String, GraphVertex> vertices = conf.getVertices();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Map<String, List<String>> consumers = new HashMap<>();
        inputs.forEach((v, ins) -> ins.forEach(in -> consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(v)));
        List<String> outputs = conf.getNetworkOutputs();

        Map<String, String> alias = new HashMap<>();      // removed vertex -> conv that now produces its value
        Map<String, String> bnOfConv = new HashMap<>();   // conv -> folded BN
        Map<String, AbstractNativeConv> converted = new LinkedHashMap<>();
        int fusedActivations = 0;
        for (Map.Entry<String, GraphVertex> e : vertices.entrySet()) {
            Layer layer = layerOf(e.getValue());
            if (!(layer instanceof ConvolutionLayer) && !(layer instanceof AbstractNativeConv)) {
                continue;
            }
            AbstractNativeConv nat = toNative(layer);
            if (nat == null) {
                LOG.info("Keeping stock convolution '{}' (not convertible: dilation/mode/multiplier/activation)",
                        e.getKey());
                continue;
            }
            String conv = e.getKey();
            String bn = soleConsumer(conv, consumers, outputs);
            if (bn != null && layerOf(vertices.get(bn)) instanceof BatchNormalization
                    && nat.getConvActivation() == ConvActivation.IDENTITY && inputs.get(bn).size() == 1) {
                nat.setHasBias(true);
                bnOfConv.put(conv, bn);
                alias.put(bn, conv);
                String act = soleConsumer(bn, consumers, outputs);
                ConvActivation fused = act == null ? null : fusable(layerOf(vertices.get(act)));
                if (layerOf(vertices.get(bn)) instanceof NativeBatchNorm nb
                        && nb.getFusedActivation() != ConvActivation.IDENTITY) {
                    // the BatchNorm carries its activation: it moves onto the convolution
                    nat.setConvActivation(nb.getFusedActivation());
                    fusedActivations++;
                } else if (fused != null && ((LayerVertex) vertices.get(act)).getPreProcessor() == null) {
                    nat.setConvActivation(fused);
                    alias.put(act, conv);
                    fusedActivations++;
                }
            }
            converted.put(conv, nat);
        }

        Map<String, GraphVertex> newVertices = new LinkedHashMap<>();
        Map<String, List<String>> newInputs = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : vertices.entrySet()) {
            String name = e.getKey();
            if (alias.containsKey(name)) {
                continue;
            }
            GraphVertex v = e.getValue();
            AbstractNativeConv nat = converted.get(name);
            if (nat != null) {
                LayerVertex lv = (LayerVertex) v;
                NeuralNetConfiguration nnc = lv.getLayerConf().clone();
                nnc.setLayer(nat);
                v = new LayerVertex(nnc, lv.getPreProcessor());
            }
            newVertices.put(name, v);
            List<String> ins = inputs.get(name);
            if (ins != null) {
                newInputs.put(name, ins.stream().map(in -> resolve(in, alias)).toList());
            }
        }
        conf.setVertices(newVertices);
        conf.setVertexInputs(newInputs);
        conf.setNetworkOutputs(new ArrayList<>(outputs.stream().map(o -> resolve(o, alias)).toList()));
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);

        ComputationGraph folded = new ComputationGraph(conf);
        folded.init();
        for (org.deeplearning4j.nn.api.Layer l : folded.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (l.numParams() == 0) {
                continue;
            }
            org.deeplearning4j.nn.api.Layer old = trained.getLayer(name);
            if (!converted.containsKey(name)) {
                l.setParams(old.params());
                continue;
            }
            copyConv(old, l, bnOfConv.containsKey(name) ? trained.getLayer(bnOfConv.get(name)) : null);
        }
        FoldReport report = new FoldReport(converted.size(), bnOfConv.size(), fusedActivations);
        LOG.info("Inference graph: {} convolutions native, {} BatchNorms folded, {} activations fused",
                report.convolutions(), report.foldedBatchNorms(), report.fusedActivations());
        return new Folded(folded, report);
    }

    private static String resolve(String name, Map<String, String> alias) {
        String n = name;
        while (alias.containsKey(n)) {
            n = alias.get(n);
        }
        return n;
    }

    private static Layer layerOf(GraphVertex v) {
        return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    private static String soleConsumer(String name, Map<String, List<String>> consumers, List<String> outputs) {
        List<String> c = consumers.getOrDefault(name, List.of());
        return c.size() == 1 && !outputs.contains(name) ? c.get(0) : null;
    }

    private static ConvActivation fusable(Layer layer) {
        if (!(layer instanceof ActivationLayer a)) {
            return null;
        }
        return activationOf(a.getActivationFn());
    }

    private static ConvActivation activationOf(IActivation fn) {
        if (fn == null || fn.equals(new ActivationIdentity())) {
            return ConvActivation.IDENTITY;
        }
        if (fn.equals(new ActivationReLU())) {
            return ConvActivation.RELU;
        }
        if (fn.equals(new ActivationReLU6())) {
            return ConvActivation.RELU6;
        }
        return null;
    }

    /** The native equivalent of a convolution configuration, or null when it has none. */
    private static AbstractNativeConv toNative(Layer layer) {
        if (layer instanceof AbstractNativeConv n) {
            return n.clone();
        }
        ConvolutionLayer c = (ConvolutionLayer) layer;
        ConvActivation act = activationOf(c.getActivationFn());
        boolean symmetric = c.getConvolutionMode() == ConvolutionMode.Truncate
                || c.getConvolutionMode() == ConvolutionMode.Strict;
        if (act == null || !symmetric || Arrays.stream(c.getDilation()).anyMatch(d -> d != 1)) {
            return null;
        }
        CNN2DFormat format = c.getCnn2dDataFormat() == null ? CNN2DFormat.NCHW : c.getCnn2dDataFormat();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        AbstractNativeConv.Builder<?> b;
        if (c instanceof DepthwiseConvolution2D d) {
            if (d.getDepthMultiplier() != 1) {
                return null;
            }
            b = NativeDepthwiseConv2D.builder().channels(c.getNIn());
        } else {
            b = NativeConv2D.builder().nIn(c.getNIn()).nOut(c.getNOut());
        }
        b.kernel(k[0], k[1]).stride(s[0], s[1]).padding(p[0], p[1]).format(format).hasBias(c.hasBias())
                .convActivation(act).name(c.getLayerName());
        AbstractNativeConv nat = (AbstractNativeConv) b.build();
        nat.setIUpdater(c.getIUpdater());
        nat.setWeightInitFn(c.getWeightInitFn());
        return nat;
    }

    /** Copies (and folds) W and b; both conv kinds keep DL4J's weight layouts, so W copies directly. */
    private static void copyConv(org.deeplearning4j.nn.api.Layer oldConv, org.deeplearning4j.nn.api.Layer newConv,
            org.deeplearning4j.nn.api.Layer bn) {
        INDArray w = oldConv.getParam("W").castTo(DataType.DOUBLE);
        long outChannels = newConv.getParam("W").shape()[isDepthwise(newConv) ? 2 : 0];
        INDArray oldB = oldConv.paramTable().containsKey("b")
                ? oldConv.getParam("b").castTo(DataType.DOUBLE).reshape(outChannels)
                : Nd4j.zeros(DataType.DOUBLE, outChannels);
        if (bn == null) {
            newConv.setParam("W", w.castTo(newConv.getParam("W").dataType()));
            if (newConv.paramTable().containsKey("b")) {
                newConv.setParam("b", oldB.reshape(1, outChannels).castTo(newConv.getParam("b").dataType()));
            }
            return;
        }
        BatchNormalization bnConf = (BatchNormalization) bn.conf().getLayer();
        INDArray mean = bn.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).castTo(DataType.DOUBLE)
                .reshape(outChannels);
        INDArray std = bn.paramTable().containsKey(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)
                ? Nd4j.math().pow(Nd4j.valueArrayOf(new long[] {outChannels}, 10.0, DataType.DOUBLE),
                        bn.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD).castTo(DataType.DOUBLE)
                                .reshape(outChannels))
                : Nd4j.math().sqrt(bn.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR)
                        .castTo(DataType.DOUBLE).reshape(outChannels).add(bnConf.getEps()));
        INDArray gamma;
        INDArray beta;
        if (bnConf.isLockGammaBeta()) {
            gamma = Nd4j.valueArrayOf(new long[] {outChannels}, bnConf.getGamma(), DataType.DOUBLE);
            beta = Nd4j.valueArrayOf(new long[] {outChannels}, bnConf.getBeta(), DataType.DOUBLE);
        } else {
            gamma = bn.getParam(BatchNormalizationParamInitializer.GAMMA).castTo(DataType.DOUBLE).reshape(outChannels);
            beta = bn.getParam(BatchNormalizationParamInitializer.BETA).castTo(DataType.DOUBLE).reshape(outChannels);
        }
        INDArray scale = gamma.div(std);
        INDArray folded;
        long[] shape = w.shape();
        if (isDepthwise(newConv)) {
            // [kH, kW, C, 1]: output channel on dimension 2
            folded = w.reshape('c', shape[0] * shape[1], shape[2]).mulRowVector(scale).reshape('c', shape);
        } else {
            // [C_out, C_in, kH, kW]: output channel on dimension 0
            folded = w.reshape('c', shape[0], w.length() / shape[0]).mulColumnVector(scale.reshape(outChannels, 1))
                    .reshape('c', shape);
        }
        INDArray bias = beta.add(oldB.sub(mean).mul(scale));
        DataType dt = newConv.getParam("W").dataType();
        newConv.setParam("W", folded.castTo(dt));
        newConv.setParam("b", bias.reshape(1, outChannels).castTo(dt));
    }

    private static boolean isDepthwise(org.deeplearning4j.nn.api.Layer l) {
        return l.conf().getLayer() instanceof NativeDepthwiseConv2D;
    }
}
