package io.github.tsm4j.models.onnx;

import static io.github.tsm4j.models.onnx.OnnxGraphBuilder.attr;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.conv.AbstractNativeConv;
import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.NativeDepthwiseConv2D;
import io.github.tsm4j.core.layers.OnlineShiftLayer;
import io.github.tsm4j.core.layers.SegmentConsensusLayer;
import io.github.tsm4j.core.layers.TemporalPoolLayer;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import io.github.tsm4j.core.norm.NativeActivation;
import io.github.tsm4j.core.norm.NativeBatchNorm;
import io.github.tsm4j.models.NchwToNhwcPreProcessor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Walks a tsm4j {@link ComputationGraph} (any layout: the exported graph is NCHW, weights are layout-independent)
 * from its input to one output vertex and writes the equivalent ONNX nodes. Every vertex kind tsm4j's builders
 * create is known; anything else fails with the vertex name and class.
 */
final class GraphTranslator {

    private final ComputationGraph graph;
    private final ComputationGraphConfiguration conf;
    private final OnnxGraphBuilder onnx;
    private final OnnxExportOptions options;
    private final Map<String, String> tensor = new HashMap<>();
    private final Map<String, Long> channels = new HashMap<>();
    private final List<OnnxMetadata.Cache> caches = new ArrayList<>();
    private final ShiftWriter shifts;
    private final long cropSize;
    private Map<String, org.deeplearning4j.nn.conf.inputs.InputType> activationTypes;

    GraphTranslator(ComputationGraph graph, OnnxGraphBuilder onnx, OnnxExportOptions options, long cropSize,
            long segments) {
        this.graph = graph;
        this.conf = graph.getConfiguration();
        this.onnx = onnx;
        this.options = options;
        this.shifts = new ShiftWriter(onnx, options, OnnxMetadata.INPUT_NAME, segments);
        this.cropSize = cropSize;
    }

    List<OnnxMetadata.Cache> caches() {
        return caches;
    }

    /**
     * Writes every vertex the output depends on.
     *
     * @param input the ONNX tensor holding the network input (NCHW)
     * @param output the vertex whose value is the result
     * @return the ONNX tensor holding it
     */
    String translate(String input, String output) {
        List<String> inputs = conf.getNetworkInputs();
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("cannot export a graph with " + inputs.size() + " inputs " + inputs);
        }
        if (!conf.getVertices().containsKey(output)) {
            throw new IllegalArgumentException("cannot export: the graph has no vertex '" + output + "'");
        }
        tensor.put(inputs.get(0), input);
        channels.put(inputs.get(0), 3L);
        Set<String> needed = ancestors(output);
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (!needed.contains(name) || tensor.containsKey(name)) {
                continue;
            }
            translate(name, conf.getVertices().get(name), conf.getVertexInputs().get(name));
        }
        return tensor.get(output);
    }

    private Set<String> ancestors(String output) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(output));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (seen.add(v)) {
                todo.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
            }
        }
        return seen;
    }

    private IllegalArgumentException unknown(String name, Object what, String detail) {
        return new IllegalArgumentException("cannot export vertex '" + name + "' (" + what.getClass().getSimpleName()
                + (detail.isEmpty() ? "" : ": " + detail) + "): the ONNX exporter knows the layers tsm4j's "
                + "ResNet/MobileNetV2 builders create (convolutions, BatchNorm, ReLU/ReLU6, max/global pooling, "
                + "dense, temporal shift/pool, online shift, segment consensus, add)");
    }

    private void translate(String name, GraphVertex vertex, List<String> ins) {
        if (vertex instanceof PreprocessorVertex pv) {
            if (!(pv.getPreProcessor() instanceof NchwToNhwcPreProcessor)) {
                throw unknown(name, pv.getPreProcessor(), "preprocessor");
            }
            alias(name, ins.get(0)); // the exported graph stays NCHW
            return;
        }
        if (vertex instanceof ElementWiseVertex ew) {
            if (ew.getOp() != ElementWiseVertex.Op.Add || ins.size() < 2) {
                throw unknown(name, ew, "element-wise " + ew.getOp() + " of " + ins.size() + " inputs");
            }
            List<String> xs = ins.stream().map(tensor::get).toList();
            put(name, onnx.node(xs.size() == 2 ? "Add" : "Sum", name, xs), channels.get(ins.get(0)));
            return;
        }
        if (!(vertex instanceof LayerVertex lv)) {
            throw unknown(name, vertex, "");
        }
        Layer layer = lv.getLayerConf().getLayer();
        if (lv.getPreProcessor() != null) {
            throw unknown(name, layer, "layer preprocessor " + lv.getPreProcessor().getClass().getSimpleName());
        }
        if (ins.size() != 1) {
            throw unknown(name, layer, ins.size() + " inputs");
        }
        String in = tensor.get(ins.get(0));
        long c = channels.get(ins.get(0));
        if (layer instanceof AbstractNativeConv nc) {
            nativeConv(name, nc, in, c);
        } else if (layer instanceof ConvolutionLayer cl) {
            stockConv(name, cl, in, c);
        } else if (layer instanceof BatchNormalization bn) {
            batchNorm(name, bn, in, c);
        } else if (layer instanceof ActivationLayer a) {
            ConvActivation act = a instanceof NativeActivation na ? na.getActivation() : activation(name, a,
                    a.getActivationFn());
            put(name, activate(name, in, act, name), c);
        } else if (layer instanceof SubsamplingLayer s) {
            maxPool(name, s, in, c);
        } else if (layer instanceof GlobalPoolingLayer gp) {
            if (!gp.isCollapseDimensions()
                    || (gp.getPoolingType() != PoolingType.AVG && gp.getPoolingType() != PoolingType.MAX)) {
                throw unknown(name, gp, "pooling " + gp.getPoolingType());
            }
            String pooled = onnx.node(gp.getPoolingType() == PoolingType.AVG ? "GlobalAveragePool" : "GlobalMaxPool",
                    onnx.fresh(name), List.of(in));
            put(name, onnx.node("Flatten", name, List.of(pooled), attr("axis", 1L)), c);
        } else if (layer instanceof DropoutLayer) {
            alias(name, ins.get(0)); // inference: identity
        } else if (layer instanceof DenseLayer d) {
            dense(name, d, in);
        } else if (layer instanceof SegmentConsensusLayer sc) {
            consensus(name, sc, in, c);
        } else if (layer instanceof TemporalShiftLayer ts) {
            if (c / ts.getFoldDiv() < 1) {
                throw unknown(name, ts, "fold of " + c + " channels / " + ts.getFoldDiv() + " is 0");
            }
            put(name, shifts.offline(name, in, ts.getSegments(), c, ts.getFoldDiv(), ts.getDirection()), c);
        } else if (layer instanceof TemporalPoolLayer tp) {
            put(name, shifts.temporalPool(name, in, tp.getSegments()), c);
        } else if (layer instanceof OnlineShiftLayer os) {
            onlineShift(name, os, in, c);
        } else {
            throw unknown(name, layer, "");
        }
    }

    private void put(String vertex, String onnxTensor, long c) {
        tensor.put(vertex, onnxTensor);
        channels.put(vertex, c);
    }

    private void alias(String vertex, String input) {
        put(vertex, tensor.get(input), channels.get(input));
    }

    private static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    private INDArray param(String layer, String key) {
        INDArray p = graph.getLayer(layer).paramTable().get(key);
        if (p == null) {
            throw new IllegalArgumentException("cannot export vertex '" + layer + "': no parameter '" + key + "'");
        }
        return p;
    }

    private void nativeConv(String name, AbstractNativeConv c, String in, long inChannels) {
        boolean depthwise = c instanceof NativeDepthwiseConv2D;
        long out = c.getNOut();
        INDArray w = param(name, "W");
        if (depthwise) {
            // [kH, kW, C, 1] -> [C, 1, kH, kW]
            w = w.permute(2, 3, 0, 1);
        }
        conv(name, in, w, c.isHasBias() ? param(name, "b") : null, c.getKernel(), c.getStride(), c.getPadding(),
                depthwise ? out : 1, c.getConvActivation(), out);
    }

    private void stockConv(String name, ConvolutionLayer c, String in, long inChannels) {
        if ((c.getConvolutionMode() != ConvolutionMode.Truncate && c.getConvolutionMode() != ConvolutionMode.Strict)
                || Arrays.stream(c.getDilation()).anyMatch(d -> d != 1)) {
            throw unknown(name, c, "convolution mode " + c.getConvolutionMode() + ", dilation "
                    + Arrays.toString(c.getDilation()));
        }
        ConvActivation act = activation(name, c, c.getActivationFn());
        INDArray w = param(name, "W");
        long group = 1;
        long out = c.getNOut();
        if (c instanceof DepthwiseConvolution2D d) {
            if (d.getDepthMultiplier() != 1) {
                throw unknown(name, c, "depth multiplier " + d.getDepthMultiplier());
            }
            w = w.permute(2, 3, 0, 1);
            group = c.getNIn();
        }
        conv(name, in, w, c.hasBias() ? param(name, "b") : null, c.getKernelSize(), c.getStride(), c.getPadding(),
                group, act, out);
    }

    private void conv(String name, String in, INDArray w, INDArray b, int[] k, int[] s, int[] p, long group,
            ConvActivation act, long out) {
        List<String> inputs = new ArrayList<>(List.of(in, onnx.floatConstant(name + ".weight", floats(w), w.shape())));
        if (b != null) {
            inputs.add(onnx.floatConstant(name + ".bias", floats(b), out));
        }
        String convOut = act == ConvActivation.IDENTITY ? name : onnx.fresh(name);
        onnx.node("Conv", convOut, inputs, attr("kernel_shape", k[0], k[1]), attr("strides", s[0], s[1]),
                attr("pads", p[0], p[1], p[0], p[1]), attr("dilations", 1L, 1L), attr("group", group));
        put(name, act == ConvActivation.IDENTITY ? convOut : activate(name, convOut, act, name), out);
    }

    /** Writes an activation of {@code in} into a tensor named {@code out}; identity returns {@code in}. */
    private String activate(String name, String in, ConvActivation act, String out) {
        return switch (act) {
            case IDENTITY -> in;
            case RELU -> onnx.node("Relu", out, List.of(in));
            case RELU6 -> onnx.node("Clip", out, List.of(in, onnx.floatConstant(onnx.fresh("const.zero"),
                    new float[] {0f}), onnx.floatConstant(onnx.fresh("const.six"), new float[] {6f})));
        };
    }

    private ConvActivation activation(String name, Layer layer, IActivation fn) {
        if (fn == null || fn instanceof ActivationIdentity) {
            return ConvActivation.IDENTITY;
        }
        if (fn instanceof ActivationReLU) {
            return ConvActivation.RELU;
        }
        if (fn instanceof ActivationReLU6) {
            return ConvActivation.RELU6;
        }
        throw unknown(name, layer, "activation " + fn);
    }

    private void batchNorm(String name, BatchNormalization bn, String in, long c) {
        INDArray mean = param(name, BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(c);
        INDArray var;
        if (bn.isUseLogStd()) {
            // DL4J keeps log10(std) with std = sqrt(var + eps)
            INDArray std = org.nd4j.linalg.ops.transforms.Transforms.exp(
                    param(name, BatchNormalizationParamInitializer.GLOBAL_LOG_STD).castTo(DataType.DOUBLE).reshape(c)
                            .mul(Math.log(10.0)), false);
            var = std.mul(std).sub(bn.getEps());
        } else {
            var = param(name, BatchNormalizationParamInitializer.GLOBAL_VAR).reshape(c);
        }
        INDArray gamma;
        INDArray beta;
        if (bn.isLockGammaBeta()) {
            gamma = mean.castTo(DataType.DOUBLE).mul(0).add(bn.getGamma());
            beta = mean.castTo(DataType.DOUBLE).mul(0).add(bn.getBeta());
        } else {
            gamma = param(name, BatchNormalizationParamInitializer.GAMMA).reshape(c);
            beta = param(name, BatchNormalizationParamInitializer.BETA).reshape(c);
        }
        ConvActivation act = bn instanceof NativeBatchNorm nb ? nb.getFusedActivation()
                : activation(name, bn, bn.getActivationFn());
        String bnOut = act == ConvActivation.IDENTITY ? name : onnx.fresh(name);
        onnx.node("BatchNormalization", bnOut, List.of(in, onnx.floatConstant(name + ".scale", floats(gamma), c),
                onnx.floatConstant(name + ".B", floats(beta), c), onnx.floatConstant(name + ".mean", floats(mean), c),
                onnx.floatConstant(name + ".var", floats(var), c)),
                OnnxGraphBuilder.attrFloat("epsilon", (float) bn.getEps()));
        put(name, activate(name, bnOut, act, name), c);
    }

    private void maxPool(String name, SubsamplingLayer s, String in, long c) {
        if (s.getPoolingType() != PoolingType.MAX
                || (s.getConvolutionMode() != ConvolutionMode.Truncate
                        && s.getConvolutionMode() != ConvolutionMode.Strict)
                || Arrays.stream(s.getDilation()).anyMatch(d -> d != 1)) {
            throw unknown(name, s, s.getPoolingType() + " pooling, mode " + s.getConvolutionMode());
        }
        int[] k = s.getKernelSize();
        int[] st = s.getStride();
        int[] p = s.getPadding();
        // ONNX pads with -inf, tsm4j with zeros: equal here, since tsm4j only pools after a ReLU (inputs >= 0)
        put(name, onnx.node("MaxPool", name, List.of(in), attr("kernel_shape", k[0], k[1]),
                attr("strides", st[0], st[1]), attr("pads", p[0], p[1], p[0], p[1])), c);
    }

    private void dense(String name, DenseLayer d, String in) {
        if (!(d.getActivationFn() == null || d.getActivationFn() instanceof ActivationIdentity) || d.hasLayerNorm()) {
            throw unknown(name, d, "activation " + d.getActivationFn() + (d.hasLayerNorm() ? ", layer norm" : ""));
        }
        INDArray w = param(name, "W"); // [in, out]
        List<String> inputs = new ArrayList<>(List.of(in, onnx.floatConstant(name + ".weight", floats(w), w.shape())));
        if (d.hasBias()) {
            inputs.add(onnx.floatConstant(name + ".bias", floats(param(name, "b")), d.getNOut()));
        }
        put(name, onnx.node("Gemm", name, inputs), d.getNOut());
    }

    private void consensus(String name, SegmentConsensusLayer sc, String in, long k) {
        ConsensusMode mode = sc.getMode();
        switch (mode) {
            case IDENTITY -> put(name, in, k);
            case AVG, MAX -> {
                String clips = onnx.node("Reshape", onnx.fresh(name), List.of(in,
                        onnx.int64(-1, sc.getSegments(), k)));
                String op = mode == ConsensusMode.AVG ? "ReduceMean" : "ReduceMax";
                String out;
                if (options.opset() >= 18) {
                    out = onnx.node(op, name, List.of(clips, onnx.int64(1)), attr("keepdims", 0L));
                } else {
                    out = onnx.node(op, name, List.of(clips), attr("axes", new long[] {1}), attr("keepdims", 0L));
                }
                put(name, out, k);
            }
        }
    }

    private void onlineShift(String name, OnlineShiftLayer os, String in, long c) {
        long fold = c / os.getFoldDiv();
        if (fold < 1) {
            throw unknown(name, os, "fold of " + c + " channels / " + os.getFoldDiv() + " is 0");
        }
        int index = caches.size();
        String cacheIn = "shift_cache." + index;
        String cacheOut = cacheIn + ".next";
        long[] hw = spatialSize(name);
        onnx.input(cacheIn, "streams", fold, hw[0], hw[1]);
        onnx.output(cacheOut, "streams", fold, hw[0], hw[1]);
        caches.add(new OnnxMetadata.Cache(cacheIn, cacheOut, name, (int) fold, (int) hw[0], (int) hw[1]));
        // the current frame's first fold channels become the next cache; the previous frame's replace them
        onnx.node("Slice", cacheOut, List.of(in, onnx.int64(0), onnx.int64(fold), onnx.int64(1)));
        String rest = onnx.node("Slice", onnx.fresh(name), List.of(in, onnx.int64(fold), onnx.int64(c),
                onnx.int64(1)));
        put(name, onnx.node("Concat", name, List.of(cacheIn, rest), attr("axis", 1L)), c);
    }

    /** H and W of a vertex's activation, from the DL4J graph's input types at the configured crop size. */
    private long[] spatialSize(String vertex) {
        if (activationTypes == null) {
            activationTypes = conf.getLayerActivationTypes(
                    org.deeplearning4j.nn.conf.inputs.InputType.convolutional(cropSize, cropSize, 3));
        }
        org.deeplearning4j.nn.conf.inputs.InputType t = activationTypes.get(vertex);
        if (!(t instanceof org.deeplearning4j.nn.conf.inputs.InputType.InputTypeConvolutional cnn)) {
            throw new IllegalArgumentException("cannot export vertex '" + vertex + "': activation type " + t
                    + ", expected a convolutional one");
        }
        return new long[] {cnn.getHeight(), cnn.getWidth()};
    }
}
