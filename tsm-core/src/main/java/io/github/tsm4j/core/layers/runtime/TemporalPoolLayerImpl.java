package io.github.tsm4j.core.layers.runtime;

import io.github.tsm4j.core.layers.TemporalPoolLayer;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
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
 * Runtime of {@link TemporalPoolLayer}: {@code [N·T, ...]} → {@code [N·T', ...]}, max over frames
 * {@code 2t'−1, 2t', 2t'+1} of each clip (kernel 3, stride 2, padding 1). The pooling is per element
 * of a frame, so NCHW and NHWC are handled alike (each frame is viewed as a flat vector). Output in
 * ACTIVATIONS, input gradient in ACTIVATION_GRAD; the backward pass recomputes the window maxima
 * (nothing is cached between passes) and routes each gradient to the first frame holding the maximum.
 */
public final class TemporalPoolLayerImpl extends NoParamLayerImpl<TemporalPoolLayer> {

    private static final long serialVersionUID = 1L;

    /**
     * @param conf the network configuration holding a {@link TemporalPoolLayer}
     * @param dataType the network's data type
     */
    public TemporalPoolLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        int segments = layerConf().getSegments();
        int pooled = layerConf().getOutputSegments();
        long clips = checkInput(input);
        INDArray x = MaxRouting.contiguous(input).reshape('c', clips, segments, frameLength(input));
        long[] outShape = input.shape().clone();
        outShape[0] = clips * pooled;
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), outShape, 'c');
        INDArray out3 = out.reshape('c', clips, pooled, frameLength(input));
        for (int tp = 0; tp < pooled; tp++) {
            MaxRouting.max(frames(x, window(tp, segments)), frame(out3, tp));
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        int segments = layerConf().getSegments();
        int pooled = layerConf().getOutputSegments();
        long clips = checkInput(input);
        long[] outShape = input.shape().clone();
        outShape[0] = clips * pooled;
        if (!Arrays.equals(epsilon.shape(), outShape)) {
            throw new IllegalArgumentException(who() + ": epsilon shape " + Arrays.toString(epsilon.shape())
                    + " differs from the output shape " + Arrays.toString(outShape));
        }
        long f = frameLength(input);
        INDArray x = MaxRouting.contiguous(input).reshape('c', clips, segments, f);
        INDArray g = MaxRouting.contiguous(epsilon).reshape('c', clips, pooled, f);
        INDArray gradIn = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), input.shape(), 'c');
        INDArray gradIn3 = gradIn.reshape('c', clips, segments, f);
        INDArray max = Nd4j.create(input.dataType(), clips, f);
        for (int tp = 0; tp < pooled; tp++) {
            int[] w = window(tp, segments);
            INDArray[] candidates = frames(x, w);
            MaxRouting.max(candidates, max);
            MaxRouting.route(candidates, max, frame(g, tp), frames(gradIn3, w));
        }
        gradIn = backpropDropOutIfPresent(gradIn);
        return new Pair<>(new DefaultGradient(), gradIn);
    }

    /** Frames of the window of output frame tp, in ascending time (PyTorch's first-max order). */
    private static int[] window(int tp, int segments) {
        int from = Math.max(0, 2 * tp - 1);
        int to = Math.min(segments - 1, 2 * tp + 1);
        int[] w = new int[to - from + 1];
        for (int i = 0; i < w.length; i++) {
            w[i] = from + i;
        }
        return w;
    }

    private static INDArray[] frames(INDArray x3, int[] t) {
        INDArray[] r = new INDArray[t.length];
        for (int i = 0; i < t.length; i++) {
            r[i] = frame(x3, t[i]);
        }
        return r;
    }

    private static INDArray frame(INDArray x3, int t) {
        return x3.get(NDArrayIndex.all(), NDArrayIndex.point(t), NDArrayIndex.all());
    }

    private static long frameLength(INDArray a) {
        return a.size(1) * a.size(2) * a.size(3);
    }

    private long checkInput(INDArray in) {
        int segments = layerConf().getSegments();
        CNN2DFormat format = layerConf().getDataFormat();
        String layout = format == CNN2DFormat.NCHW ? "[N·T, C, H, W] (NCHW)" : "[N·T, H, W, C] (NHWC)";
        if (in.rank() != 4) {
            throw new IllegalArgumentException(who() + ": input must have rank 4 " + layout + ", found rank "
                    + in.rank() + " with shape " + Arrays.toString(in.shape()));
        }
        if (in.size(0) % segments != 0) {
            throw new IllegalArgumentException(who() + ": first dimension N·T = " + in.size(0)
                    + " is not divisible by segments T = " + segments + "; expected " + layout
                    + " with the T frames of each clip contiguous, found shape " + Arrays.toString(in.shape()));
        }
        return in.size(0) / segments;
    }
}
