package io.github.tsm4j.models.onnx;

import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.layers.OnlineShiftLayer;
import io.github.tsm4j.core.layers.TemporalPoolLayer;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

/**
 * Where the {@link OnnxShiftForm#SPLIT_CHANNELS} export cuts activations along the channel axis: at every shift
 * input, the fold boundaries (C/foldDiv and, bidirectionally, 2·C/foldDiv), carried back through the
 * channel-wise vertices that produce it (adds, activations, max pooling, temporal pooling, shifts, the NHWC
 * permutation) to the convolutions, which then write the channel ranges as separate tensors. The moved channels
 * then travel alone and the others are never copied.
 */
final class ChannelSplits {

    /**
     * Fold sizes that are cut out: multiples of 16 channels, ONNX Runtime's NCHWc block on AVX-512 (and a multiple
     * of the AVX2 block, 8). Smaller or unaligned folds (MobileNetV2's 3…20 channels, ResNet's layer1.0 fold of 8)
     * made ONNX Runtime fall back to unblocked convolutions and reorders (measured: +47 % on TSM-MobileNetV2);
     * their shifts stay {@link OnnxShiftForm#FRAME_SLICE}.
     */
    static final long ALIGNMENT = 16;

    /** @return whether a fold of this many channels is cut out as its own tensors */
    static boolean cutsOut(long fold) {
        return fold > 0 && fold % ALIGNMENT == 0;
    }

    private final ComputationGraphConfiguration conf;
    private final Map<String, InputType> types;
    private final Map<String, TreeSet<Long>> boundaries = new HashMap<>();

    ChannelSplits(ComputationGraphConfiguration conf, Map<String, InputType> types) {
        this.conf = conf;
        this.types = types;
    }

    /** @return the inner channel boundaries of each vertex's value (vertices without any are absent) */
    Map<String, TreeSet<Long>> compute(Set<String> vertices) {
        for (String v : vertices) {
            Layer layer = layerOf(conf.getVertices().get(v));
            List<String> ins = conf.getVertexInputs().getOrDefault(v, List.of());
            if (ins.size() != 1) {
                continue;
            }
            long c = channels(ins.get(0));
            if (layer instanceof TemporalShiftLayer ts && ts.getSegments() > 1 && cutsOut(c / ts.getFoldDiv())) {
                long fold = c / ts.getFoldDiv();
                demand(ins.get(0), ts.getDirection() == ShiftDirection.BIDIRECTIONAL ? List.of(fold, 2 * fold)
                        : List.of(fold));
            } else if (layer instanceof OnlineShiftLayer os && cutsOut(c / os.getFoldDiv())) {
                demand(ins.get(0), List.of(c / os.getFoldDiv()));
            }
        }
        return boundaries;
    }

    long channels(String vertex) {
        InputType t = types.get(vertex);
        if (t instanceof InputType.InputTypeConvolutional cnn) {
            return cnn.getChannels();
        }
        return -1;
    }

    private static Layer layerOf(GraphVertex v) {
        return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    private void demand(String vertex, List<Long> cuts) {
        long c = channels(vertex);
        TreeSet<Long> b = boundaries.computeIfAbsent(vertex, k -> new TreeSet<>());
        boolean changed = false;
        for (long cut : cuts) {
            if (cut > 0 && cut < c) {
                changed |= b.add(cut);
            }
        }
        if (!changed) {
            return;
        }
        GraphVertex v = conf.getVertices().get(vertex);
        List<String> ins = conf.getVertexInputs().getOrDefault(vertex, List.of());
        Layer layer = layerOf(v);
        boolean channelWise = v instanceof ElementWiseVertex || v instanceof PreprocessorVertex
                || layer instanceof ActivationLayer || layer instanceof SubsamplingLayer
                || layer instanceof DropoutLayer || layer instanceof TemporalPoolLayer
                || layer instanceof TemporalShiftLayer || layer instanceof OnlineShiftLayer;
        if (channelWise) {
            List<Long> all = List.copyOf(b);
            for (String in : ins) {
                demand(in, all);
            }
        }
    }
}
