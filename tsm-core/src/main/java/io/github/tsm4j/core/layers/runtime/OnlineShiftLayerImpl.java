package io.github.tsm4j.core.layers.runtime;

import io.github.tsm4j.core.OnlineShift;
import io.github.tsm4j.core.layers.OnlineShiftLayer;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runtime of {@link OnlineShiftLayer}: holds the {@link OnlineShift} state of one shifted layer.
 * Each {@code activate} call is one time step: input {@code [B, C, H, W]} (NCHW) or
 * {@code [B, H, W, C]} (NHWC), one frame per stream, output of the same shape in the ACTIVATIONS
 * workspace. The state is created lazily for the first shape seen (B streams); a different shape
 * later re-creates it (all streams restart from zeros) with a logged warning.
 *
 * <p>A streaming driver reaches it with {@code (OnlineShiftLayerImpl) graph.getLayer(name)} to call
 * {@link #resetState()} (all streams) or {@link #resetStream(int)} (one stream starts a new video).
 * Every forward pass (also {@code output}, {@code feedForward}) advances the state. Inference only:
 * {@link #backpropGradient} throws {@link UnsupportedOperationException}.
 */
public final class OnlineShiftLayerImpl extends NoParamLayerImpl<OnlineShiftLayer> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OnlineShiftLayerImpl.class);

    private transient OnlineShift state;

    /**
     * @param conf the network configuration holding an {@link OnlineShiftLayer}
     * @param dataType the network's data type
     */
    public OnlineShiftLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        OnlineShiftLayer c = layerConf();
        CNN2DFormat format = c.getDataFormat();
        if (input.rank() != 4) {
            throw new IllegalArgumentException(who() + ": input must have rank 4 "
                    + (format == CNN2DFormat.NCHW ? "[B, C, H, W] (NCHW)" : "[B, H, W, C] (NHWC)")
                    + ", one frame per stream, found rank " + input.rank() + " with shape "
                    + Arrays.toString(input.shape()));
        }
        ensureState(input.shape(), input.dataType());
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        state.apply(input, out);
        return out;
    }

    /**
     * The state for frames of the given shape: the current one if it matches, else a new one (all streams
     * restart from zeros; a warning is logged when a state existed). A streaming executor calls this before
     * {@link OnlineShift#bind binding} the state, so that this layer and the executor share one cache.
     *
     * @param frameShape {@code [B, C, H, W]} (NCHW) or {@code [B, H, W, C]} (NHWC), as the layer's format says
     * @param dataType the frames' data type
     * @return the state
     * @throws IllegalArgumentException naming this layer if the shape is not rank 4 or has fewer channels than
     *     foldDiv
     */
    public OnlineShift ensureState(long[] frameShape, DataType dataType) {
        if (state != null && Arrays.equals(state.frameShape(), frameShape) && state.dataType() == dataType) {
            return state;
        }
        OnlineShiftLayer c = layerConf();
        CNN2DFormat format = c.getDataFormat();
        if (frameShape.length != 4) {
            throw new IllegalArgumentException(who() + ": frames must have rank 4, found shape "
                    + Arrays.toString(frameShape));
        }
        long channels = format == CNN2DFormat.NCHW ? frameShape[1] : frameShape[3];
        int h = (int) (format == CNN2DFormat.NCHW ? frameShape[2] : frameShape[1]);
        int w = (int) (format == CNN2DFormat.NCHW ? frameShape[3] : frameShape[2]);
        if (state != null) {
            LOG.warn("{}: input shape changed from {} {} to {} {}; the streaming state restarts from zeros",
                    who(), Arrays.toString(state.frameShape()), state.dataType(), Arrays.toString(frameShape),
                    dataType);
        }
        try {
            state = new OnlineShift((int) frameShape[0], (int) channels, c.getFoldDiv(), h, w, format, dataType);
        } catch (IllegalArgumentException e) {
            throw named(e);
        }
        return state;
    }

    /** Forgets every stream (no-op before the first frame). */
    public void resetState() {
        if (state != null) {
            state.reset();
        }
    }

    /**
     * Forgets one stream; the others keep their state (no-op before the first frame).
     *
     * @param stream index in {@code [0, B)}
     */
    public void resetStream(int stream) {
        if (state != null) {
            try {
                state.reset(stream);
            } catch (IllegalArgumentException e) {
                throw named(e);
            }
        }
    }

    /** @return the state, or {@code null} before the first frame */
    public OnlineShift state() {
        return state;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException(who() + ": the online shift is for inference only; train with "
                + "TemporalShiftLayer(direction = UNIDIRECTIONAL) and run online with the same weights");
    }
}
