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
import java.util.TreeSet;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
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
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Walks a tsm4j {@link ComputationGraph} (any layout: the exported graph is NCHW, weights are layout-independent)
 * from its input to one output vertex and writes the equivalent ONNX nodes. Every vertex kind tsm4j's builders
 * create is known; anything else fails with the vertex name and class. A vertex's value is a list of channel
 * ranges, each in its own ONNX tensor: one range, except where {@link ChannelSplits} cuts the activations that
 * reach a shift ({@link OnnxShiftForm#SPLIT_CHANNELS}); channel-wise operations then run per range, a convolution
 * sums one convolution per input range for each output range, and whatever needs the whole value gets one
 * {@code Concat}.
 */
final class GraphTranslator {

    private final ComputationGraph graph;
    private final ComputationGraphConfiguration conf;
    private final OnnxGraphBuilder onnx;
    private final OnnxExportOptions options;
    /** Each vertex's value: its channel ranges, in order, each held in one ONNX tensor. */
    private final Map<String, List<Part>> values = new HashMap<>();
    /** Concatenations of split values, made once. */
    private final Map<String, String> wholes = new HashMap<>();
    /** Inner channel boundaries at which a vertex's value is written as separate tensors (SPLIT_CHANNELS). */
    private Map<String, TreeSet<Long>> splits = Map.of();
    private final List<OnnxMetadata.Cache> caches = new ArrayList<>();
    private final ShiftWriter shifts;
    private final long cropSize;
    private Map<String, InputType> activationTypes;

    /** Channels {@code [from, to)} of a vertex's value, held in ONNX tensor {@code tensor}. */
    record Part(String tensor, long from, long to) {
        long size() {
            return to - from;
        }
    }

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
        values.put(inputs.get(0), List.of(new Part(input, 0, 3)));
        Set<String> needed = ancestors(output);
        if (options.shiftForm() == OnnxShiftForm.SPLIT_CHANNELS) {
            splits = new ChannelSplits(conf, types()).compute(needed);
        }
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (!needed.contains(name) || values.containsKey(name)) {
                continue;
            }
            translate(name, conf.getVertices().get(name), conf.getVertexInputs().get(name));
        }
        return whole(output);
    }

    private Map<String, InputType> types() {
        if (activationTypes == null) {
            activationTypes = conf.getLayerActivationTypes(InputType.convolutional(cropSize, cropSize, 3));
        }
        return activationTypes;
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

    /** The channel ranges a vertex's value is written in: its split boundaries, or one range. */
    private List<long[]> ranges(String vertex, long channels) {
        List<long[]> r = new ArrayList<>();
        long from = 0;
        for (long cut : splits.getOrDefault(vertex, new TreeSet<>())) {
            if (cut > from && cut < channels) {
                r.add(new long[] {from, cut});
                from = cut;
            }
        }
        r.add(new long[] {from, channels});
        return r;
    }

    /** Name of the tensor holding channels [from, to) of a vertex written in {@code count} ranges. */
    private static String partName(String vertex, long from, long to, int count) {
        return count == 1 ? vertex : vertex + "#" + from + "-" + to;
    }

    private long channels(String vertex) {
        List<Part> p = values.get(vertex);
        return p.get(p.size() - 1).to();
    }

    /** The whole value of a vertex in one tensor (a Concat of its parts, made once, when it is split). */
    private String whole(String vertex) {
        List<Part> p = values.get(vertex);
        if (p.size() == 1) {
            return p.get(0).tensor();
        }
        return wholes.computeIfAbsent(vertex, v -> onnx.node("Concat", v, p.stream().map(Part::tensor).toList(),
                attr("axis", 1L)));
    }

    private static boolean sameRanges(List<Part> a, List<Part> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).from() != b.get(i).from() || a.get(i).to() != b.get(i).to()) {
                return false;
            }
        }
        return true;
    }

    /** The value of a vertex cut at the given ranges (its own parts when they match, else slices of it). */
    private List<Part> cut(String vertex, List<long[]> ranges) {
        List<Part> p = values.get(vertex);
        if (p.size() == ranges.size()) {
            boolean same = true;
            for (int i = 0; i < p.size(); i++) {
                same &= p.get(i).from() == ranges.get(i)[0] && p.get(i).to() == ranges.get(i)[1];
            }
            if (same) {
                return p;
            }
        }
        String w = whole(vertex);
        List<Part> out = new ArrayList<>();
        for (long[] r : ranges) {
            out.add(new Part(onnx.node("Slice", onnx.fresh(vertex + ".cut"), List.of(w, onnx.int64(r[0]),
                    onnx.int64(r[1]), onnx.int64(1))), r[0], r[1]));
        }
        return out;
    }

    /** The channel ranges of a vertex's value with extra cuts. */
    private List<long[]> refine(String vertex, long... cuts) {
        TreeSet<Long> all = new TreeSet<>();
        for (Part p : values.get(vertex)) {
            all.add(p.from());
        }
        for (long cutAt : cuts) {
            all.add(cutAt);
        }
        long c = channels(vertex);
        List<long[]> r = new ArrayList<>();
        Long prev = null;
        for (long at : all) {
            if (prev != null && at > prev && at < c) {
                r.add(new long[] {prev, at});
            }
            if (at < c && (prev == null || at > prev)) {
                prev = at;
            }
        }
        r.add(new long[] {prev, c});
        return r;
    }

    /** Applies a one-input channel-wise op to every part of {@code input}, naming the results after {@code name}. */
    private void perPart(String name, String input, java.util.function.BiFunction<String, String, String> op) {
        List<Part> in = values.get(input);
        List<Part> out = new ArrayList<>();
        for (Part p : in) {
            out.add(new Part(op.apply(p.tensor(), partName(name, p.from(), p.to(), in.size())), p.from(), p.to()));
        }
        values.put(name, out);
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
            add(name, ins);
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
        String input = ins.get(0);
        long c = channels(input);
        if (layer instanceof AbstractNativeConv nc) {
            nativeConv(name, nc, input);
        } else if (layer instanceof ConvolutionLayer cl) {
            stockConv(name, cl, input);
        } else if (layer instanceof BatchNormalization bn) {
            batchNorm(name, bn, whole(input), c);
        } else if (layer instanceof ActivationLayer a) {
            ConvActivation act = a instanceof NativeActivation na ? na.getActivation() : activation(name, a,
                    a.getActivationFn());
            perPart(name, input, (in, out) -> activate(in, act, out));
        } else if (layer instanceof SubsamplingLayer s) {
            maxPool(name, s, input);
        } else if (layer instanceof GlobalPoolingLayer gp) {
            globalPool(name, gp, input);
        } else if (layer instanceof DropoutLayer) {
            alias(name, input); // inference: identity
        } else if (layer instanceof DenseLayer d) {
            dense(name, d, whole(input));
        } else if (layer instanceof SegmentConsensusLayer sc) {
            consensus(name, sc, whole(input), c);
        } else if (layer instanceof TemporalShiftLayer ts) {
            if (c / ts.getFoldDiv() < 1) {
                throw unknown(name, ts, "fold of " + c + " channels / " + ts.getFoldDiv() + " is 0");
            }
            offlineShift(name, ts, input, c);
        } else if (layer instanceof TemporalPoolLayer tp) {
            perPart(name, input, (in, out) -> shifts.temporalPool(out, in, tp.getSegments()));
        } else if (layer instanceof OnlineShiftLayer os) {
            onlineShift(name, os, input, c);
        } else {
            throw unknown(name, layer, "");
        }
    }

    private void put(String vertex, String onnxTensor, long c) {
        values.put(vertex, List.of(new Part(onnxTensor, 0, c)));
    }

    private void alias(String vertex, String input) {
        values.put(vertex, values.get(input));
    }

    private void add(String name, List<String> ins) {
        List<Part> first = values.get(ins.get(0));
        boolean aligned = ins.stream().allMatch(i -> sameRanges(values.get(i), first));
        if (!aligned) {
            List<String> xs = ins.stream().map(this::whole).toList();
            put(name, onnx.node(xs.size() == 2 ? "Add" : "Sum", name, xs), channels(ins.get(0)));
            return;
        }
        List<Part> out = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            int k = i;
            List<String> xs = ins.stream().map(v -> values.get(v).get(k).tensor()).toList();
            Part p = first.get(i);
            out.add(new Part(onnx.node(xs.size() == 2 ? "Add" : "Sum", partName(name, p.from(), p.to(),
                    first.size()), xs), p.from(), p.to()));
        }
        values.put(name, out);
    }

    private void offlineShift(String name, TemporalShiftLayer ts, String input, long c) {
        if (options.shiftForm() != OnnxShiftForm.SPLIT_CHANNELS || ts.getSegments() == 1
                || !ChannelSplits.cutsOut(c / ts.getFoldDiv())) {
            put(name, shifts.offline(name, whole(input), ts.getSegments(), c, ts.getFoldDiv(), ts.getDirection()),
                    c);
            return;
        }
        long fold = c / ts.getFoldDiv();
        boolean bidirectional = ts.getDirection() == io.github.tsm4j.core.ShiftDirection.BIDIRECTIONAL;
        List<long[]> ranges = bidirectional ? refine(input, fold, 2 * fold) : refine(input, fold);
        List<Part> out = new ArrayList<>();
        for (Part p : cut(input, ranges)) {
            String moved;
            if (p.to() <= fold) {
                // [0, fold): frame t+1 (bidirectional) or t-1 (unidirectional)
                moved = shifts.moved(partName(name, p.from(), p.to(), ranges.size()), p.tensor(), ts.getSegments(),
                        bidirectional);
            } else if (bidirectional && p.to() <= 2 * fold) {
                // [fold, 2·fold): frame t-1
                moved = shifts.moved(partName(name, p.from(), p.to(), ranges.size()), p.tensor(), ts.getSegments(),
                        false);
            } else {
                moved = p.tensor(); // unmoved channels: the same tensor, no copy
            }
            out.add(new Part(moved, p.from(), p.to()));
        }
        values.put(name, out);
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

    private void nativeConv(String name, AbstractNativeConv c, String input) {
        boolean depthwise = c instanceof NativeDepthwiseConv2D;
        INDArray w = param(name, "W");
        if (depthwise) {
            // [kH, kW, C, 1] -> [C, 1, kH, kW]
            w = w.permute(2, 3, 0, 1);
        }
        conv(name, input, w, c.isHasBias() ? param(name, "b") : null, c.getKernel(), c.getStride(), c.getPadding(),
                depthwise, c.getConvActivation(), c.getNOut());
    }

    private void stockConv(String name, ConvolutionLayer c, String input) {
        if ((c.getConvolutionMode() != ConvolutionMode.Truncate && c.getConvolutionMode() != ConvolutionMode.Strict)
                || Arrays.stream(c.getDilation()).anyMatch(d -> d != 1)) {
            throw unknown(name, c, "convolution mode " + c.getConvolutionMode() + ", dilation "
                    + Arrays.toString(c.getDilation()));
        }
        ConvActivation act = activation(name, c, c.getActivationFn());
        INDArray w = param(name, "W");
        boolean depthwise = c instanceof DepthwiseConvolution2D;
        if (c instanceof DepthwiseConvolution2D d) {
            if (d.getDepthMultiplier() != 1) {
                throw unknown(name, c, "depth multiplier " + d.getDepthMultiplier());
            }
            w = w.permute(2, 3, 0, 1);
        }
        conv(name, input, w, c.hasBias() ? param(name, "b") : null, c.getKernelSize(), c.getStride(),
                c.getPadding(), depthwise, act, c.getNOut());
    }

    /**
     * A convolution ({@code w [out, in/group, kH, kW]}) of a possibly split input, writing the output channel ranges
     * the vertex is split at: each output range is the sum over the input parts of the convolution of that part with
     * its block of the weights (ONNX Runtime fuses each sum into the convolution that produces it), the bias on the
     * last term, the activation after the sum. A depthwise convolution takes its input whole.
     */
    private void conv(String name, String input, INDArray w, INDArray b, int[] k, int[] s, int[] p,
            boolean depthwise, ConvActivation act, long out) {
        List<Part> in = depthwise ? List.of(new Part(whole(input), 0, channels(input))) : values.get(input);
        List<long[]> outRanges = depthwise ? List.of(new long[] {0, out}) : ranges(name, out);
        List<Part> result = new ArrayList<>();
        for (long[] r : outRanges) {
            String outName = partName(name, r[0], r[1], outRanges.size());
            String sum = null;
            for (int i = 0; i < in.size(); i++) {
                Part part = in.get(i);
                boolean last = i == in.size() - 1;
                INDArray wi = in.size() == 1 && outRanges.size() == 1 ? w
                        : w.get(NDArrayIndex.interval(r[0], r[1]), NDArrayIndex.interval(part.from(), part.to()),
                                NDArrayIndex.all(), NDArrayIndex.all());
                String wName = in.size() == 1 && outRanges.size() == 1 ? name + ".weight"
                        : name + ".weight#" + r[0] + "-" + r[1] + "," + part.from() + "-" + part.to();
                List<String> inputs = new ArrayList<>(List.of(part.tensor(), onnx.floatConstant(wName, floats(wi),
                        wi.shape())));
                if (b != null && last) {
                    INDArray bi = outRanges.size() == 1 ? b : b.reshape(out).get(NDArrayIndex.interval(r[0], r[1]));
                    inputs.add(onnx.floatConstant(outRanges.size() == 1 ? name + ".bias"
                            : name + ".bias#" + r[0] + "-" + r[1], floats(bi), r[1] - r[0]));
                }
                boolean named = last && act == ConvActivation.IDENTITY;
                String term = onnx.node("Conv", named && sum == null ? outName : onnx.fresh(outName), inputs,
                        attr("kernel_shape", k[0], k[1]), attr("strides", s[0], s[1]),
                        attr("pads", p[0], p[1], p[0], p[1]), attr("dilations", 1L, 1L),
                        attr("group", depthwise ? out : 1L));
                sum = sum == null ? term : onnx.node("Add", named ? outName : onnx.fresh(outName),
                        List.of(sum, term));
            }
            result.add(new Part(act == ConvActivation.IDENTITY ? sum : activate(sum, act, outName), r[0], r[1]));
        }
        values.put(name, result);
    }

    /** Writes an activation of {@code in} into a tensor named {@code out}; identity returns {@code in}. */
    private String activate(String in, ConvActivation act, String out) {
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
        put(name, activate(bnOut, act, name), c);
    }

    private void maxPool(String name, SubsamplingLayer s, String input) {
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
        perPart(name, input, (in, out) -> onnx.node("MaxPool", out, List.of(in), attr("kernel_shape", k[0], k[1]),
                attr("strides", st[0], st[1]), attr("pads", p[0], p[1], p[0], p[1])));
    }

    private void globalPool(String name, GlobalPoolingLayer gp, String input) {
        if (!gp.isCollapseDimensions()
                || (gp.getPoolingType() != PoolingType.AVG && gp.getPoolingType() != PoolingType.MAX)) {
            throw unknown(name, gp, "pooling " + gp.getPoolingType());
        }
        String op = gp.getPoolingType() == PoolingType.AVG ? "GlobalAveragePool" : "GlobalMaxPool";
        List<String> pooled = new ArrayList<>();
        for (Part p : values.get(input)) {
            pooled.add(onnx.node("Flatten", onnx.fresh(name), List.of(onnx.node(op, onnx.fresh(name),
                    List.of(p.tensor()))), attr("axis", 1L)));
        }
        put(name, pooled.size() == 1 ? onnx.node("Identity", name, pooled)
                : onnx.node("Concat", name, pooled, attr("axis", 1L)), channels(input));
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

    private void onlineShift(String name, OnlineShiftLayer os, String input, long c) {
        long fold = c / os.getFoldDiv();
        if (fold < 1) {
            throw unknown(name, os, "fold of " + c + " channels / " + os.getFoldDiv() + " is 0");
        }
        int index = caches.size();
        String cacheIn = "shift_cache." + index;
        String cacheOut = cacheIn + ".next";
        long[] hw = spatialSize(name);
        Object streams = options.frames() > 0 ? (Object) options.frames() : "streams";
        onnx.input(cacheIn, streams, fold, hw[0], hw[1]);
        onnx.output(cacheOut, streams, fold, hw[0], hw[1]);
        caches.add(new OnnxMetadata.Cache(cacheIn, cacheOut, name, (int) fold, (int) hw[0], (int) hw[1]));
        // the current frame's first fold channels become the next cache; the previous frame's replace them
        if (options.shiftForm() == OnnxShiftForm.SPLIT_CHANNELS && ChannelSplits.cutsOut(fold)) {
            List<Part> out = new ArrayList<>();
            List<String> head = new ArrayList<>();
            for (Part p : cut(input, refine(input, fold))) {
                if (p.to() <= fold) {
                    head.add(p.tensor());
                } else {
                    out.add(p);
                }
            }
            if (head.size() == 1) {
                onnx.node("Identity", cacheOut, head);
            } else {
                onnx.node("Concat", cacheOut, head, attr("axis", 1L));
            }
            out.add(0, new Part(cacheIn, 0, fold));
            values.put(name, out);
            return;
        }
        String in = whole(input);
        onnx.node("Slice", cacheOut, List.of(in, onnx.int64(0), onnx.int64(fold), onnx.int64(1)));
        String rest = onnx.node("Slice", onnx.fresh(name), List.of(in, onnx.int64(fold), onnx.int64(c),
                onnx.int64(1)));
        put(name, onnx.node("Concat", name, List.of(cacheIn, rest), attr("axis", 1L)), c);
    }

    /** H and W of a vertex's activation, from the DL4J graph's input types at the configured crop size. */
    private long[] spatialSize(String vertex) {
        InputType t = types().get(vertex);
        if (!(t instanceof InputType.InputTypeConvolutional cnn)) {
            throw new IllegalArgumentException("cannot export vertex '" + vertex + "': activation type " + t
                    + ", expected a convolutional one");
        }
        return new long[] {cnn.getHeight(), cnn.getWidth()};
    }
}
