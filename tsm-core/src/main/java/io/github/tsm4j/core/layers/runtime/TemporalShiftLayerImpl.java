package io.github.tsm4j.core.layers.runtime;

import io.github.tsm4j.core.TemporalShift;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime of {@link TemporalShiftLayer}: {@link TemporalShift#forward} into an ACTIVATIONS array of
 * the layer workspace manager, {@link TemporalShift#backward} (the adjoint) into an ACTIVATION_GRAD
 * array. Shapes: {@code [N·T, C, H, W]} (NCHW) or {@code [N·T, H, W, C]} (NHWC) in and out.
 */
public final class TemporalShiftLayerImpl extends NoParamLayerImpl<TemporalShiftLayer> {

    private static final long serialVersionUID = 1L;

    /**
     * @param conf the network configuration holding a {@link TemporalShiftLayer}
     * @param dataType the network's data type
     */
    public TemporalShiftLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        TemporalShiftLayer c = layerConf();
        try {
            TemporalShift.validate(input, null, c.getSegments(), c.getFoldDiv(), c.getDataFormat());
        } catch (IllegalArgumentException e) {
            throw named(e);
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        TemporalShift.forward(input, out, c.getSegments(), c.getFoldDiv(), c.getDirection(), c.getDataFormat(),
                c.getKernel(), c.getShiftThreads());
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!Arrays.equals(epsilon.shape(), input.shape())) {
            throw new IllegalArgumentException(who() + ": epsilon shape " + Arrays.toString(epsilon.shape())
                    + " differs from the input shape " + Arrays.toString(input.shape()));
        }
        TemporalShiftLayer c = layerConf();
        INDArray gradIn = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                epsilon.shape(), 'c');
        try {
            TemporalShift.backward(epsilon, gradIn, c.getSegments(), c.getFoldDiv(), c.getDirection(),
                    c.getDataFormat(), c.getKernel(), c.getShiftThreads());
        } catch (IllegalArgumentException e) {
            throw named(e);
        }
        gradIn = backpropDropOutIfPresent(gradIn);
        return new Pair<>(new DefaultGradient(), gradIn);
    }
}
