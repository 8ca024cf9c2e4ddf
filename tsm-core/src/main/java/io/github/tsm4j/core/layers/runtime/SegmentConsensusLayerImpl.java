package io.github.tsm4j.core.layers.runtime;

import io.github.tsm4j.core.layers.SegmentConsensusLayer;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runtime of {@link SegmentConsensusLayer}: {@code [N·T, K]} → {@code [N, K]} (AVG, MAX) or
 * {@code [N·T, K]} (IDENTITY), output in ACTIVATIONS, input gradient in ACTIVATION_GRAD. AVG spreads
 * the gradient evenly over the T frames; MAX gives it to the first frame holding the maximum.
 */
public final class SegmentConsensusLayerImpl extends NoParamLayerImpl<SegmentConsensusLayer> {

    private static final long serialVersionUID = 1L;

    /**
     * @param conf the network configuration holding a {@link SegmentConsensusLayer}
     * @param dataType the network's data type
     */
    public SegmentConsensusLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Layer.Type type() {
        return Layer.Type.FEED_FORWARD;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        int segments = layerConf().getSegments();
        long clips = checkInput(input);
        long k = input.size(1);
        return switch (layerConf().getMode()) {
            case IDENTITY -> workspaceMgr.dup(ArrayType.ACTIVATIONS, input);
            case AVG -> {
                INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), clips, k);
                MaxRouting.contiguous(input).reshape('c', clips, segments, k).mean(out, 1);
                yield out;
            }
            case MAX -> {
                INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), clips, k);
                MaxRouting.max(frames(MaxRouting.contiguous(input).reshape('c', clips, segments, k)), out);
                yield out;
            }
        };
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        int segments = layerConf().getSegments();
        long clips = checkInput(input);
        long k = input.size(1);
        long[] outShape = layerConf().getMode() == io.github.tsm4j.core.ConsensusMode.IDENTITY
                ? input.shape() : new long[] {clips, k};
        if (!Arrays.equals(epsilon.shape(), outShape)) {
            throw new IllegalArgumentException(who() + ": epsilon shape " + Arrays.toString(epsilon.shape())
                    + " differs from the output shape " + Arrays.toString(outShape));
        }
        INDArray gradIn = switch (layerConf().getMode()) {
            case IDENTITY -> workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
            case AVG -> {
                INDArray g = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                        input.shape(), 'c');
                INDArray g3 = g.reshape('c', clips, segments, k);
                for (int t = 0; t < segments; t++) {
                    g3.get(NDArrayIndex.all(), NDArrayIndex.point(t), NDArrayIndex.all()).assign(epsilon);
                }
                g.divi(segments);
                yield g;
            }
            case MAX -> {
                INDArray g = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), input.shape(), 'c');
                INDArray[] candidates = frames(MaxRouting.contiguous(input).reshape('c', clips, segments, k));
                INDArray max = Nd4j.create(input.dataType(), clips, k);
                MaxRouting.max(candidates, max);
                MaxRouting.route(candidates, max, epsilon, frames(g.reshape('c', clips, segments, k)));
                yield g;
            }
        };
        gradIn = backpropDropOutIfPresent(gradIn);
        return new Pair<>(new DefaultGradient(), gradIn);
    }

    private static INDArray[] frames(INDArray x3) {
        INDArray[] r = new INDArray[(int) x3.size(1)];
        for (int t = 0; t < r.length; t++) {
            r[t] = x3.get(NDArrayIndex.all(), NDArrayIndex.point(t), NDArrayIndex.all());
        }
        return r;
    }

    private long checkInput(INDArray in) {
        int segments = layerConf().getSegments();
        if (in.rank() != 2) {
            throw new IllegalArgumentException(who() + ": input must have rank 2 [N·T, K], found rank "
                    + in.rank() + " with shape " + Arrays.toString(in.shape()));
        }
        if (in.size(0) % segments != 0) {
            throw new IllegalArgumentException(who() + ": first dimension N·T = " + in.size(0)
                    + " is not divisible by segments T = " + segments
                    + "; expected [N·T, K] with the T frames of each clip contiguous");
        }
        return in.size(0) / segments;
    }
}
