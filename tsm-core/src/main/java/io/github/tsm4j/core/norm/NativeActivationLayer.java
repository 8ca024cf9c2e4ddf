package io.github.tsm4j.core.norm;

import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.OneDnn;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime of {@link NativeActivation}: forward writes {@code act(input)} into a new array of the
 * {@link ArrayType#ACTIVATIONS} workspace (the input is not modified); backward computes the input gradient from the
 * kept output into {@link ArrayType#ACTIVATION_GRAD}. Ownership: in training the layer keeps a reference to its
 * output (activations workspace, open until backpropagation ends).
 *
 * <p>With {@link NativeActivation#isInPlaceInTraining()}, a training step of {@code ComputationGraph.fit} (all
 * activations in DL4J's one per-step workspace {@value #STEP_WORKSPACE}, or no workspaces at all) overwrites the input
 * with {@code act(input)} and returns the input array itself: one activation array fewer per layer (for
 * TSM-ResNet-50 at 2 × 8 frames of 224 px, the 16 residual ReLUs: 353 MB of the step's 2.5 GB). Everywhere else
 * (inference, {@code output(true, …)}, whose workspaces are released per vertex) it writes a new array. Seen from a
 * training listener's activations map, the input vertex's activation then already holds {@code act(input)}.
 */
public final class NativeActivationLayer extends ActivationLayer {

    private static final long serialVersionUID = 1L;

    /** DL4J's workspace that holds all activations of a training step ({@code ComputationGraph}). */
    static final String STEP_WORKSPACE = "WS_ALL_LAYERS_ACT";

    private transient INDArray lastOutput;
    private transient OneDnnActivation oneDnn;
    private transient boolean lastBackwardOneDnn;

    NativeActivationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private ConvActivation activation() {
        return ((NativeActivation) layerConf()).getActivation();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        if (training && ((NativeActivation) layerConf()).isInPlaceInTraining() && !input.isView()
                && (mgr.isScopedOut(ArrayType.ACTIVATIONS)
                        || STEP_WORKSPACE.equals(mgr.getWorkspaceName(ArrayType.ACTIVATIONS)))) {
            BatchNormOps.activate(activation(), input, input);
            lastOutput = input;
            return input;
        }
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        BatchNormOps.activate(activation(), input, out);
        lastOutput = training ? out : null;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        if (lastOutput == null) {
            throw new IllegalStateException("NativeActivation '" + layerConf().getLayerName()
                    + "': backpropGradient without a preceding activate(training = true)");
        }
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
        NativeActivation c = (NativeActivation) layerConf();
        if (c.isOneDnn() && activation() != ConvActivation.IDENTITY && OneDnn.suits(lastOutput, epsilon, dx)
                && java.util.Arrays.equals(lastOutput.shape(), epsilon.shape())
                && OneDnn.availableFor("activations", c.getLayerName())) {
            if (oneDnn == null) {
                oneDnn = new OneDnnActivation(activation());
            }
            oneDnn.backward(lastOutput, epsilon, dx);
            lastBackwardOneDnn = true;
            return new Pair<>(new DefaultGradient(), dx);
        }
        lastBackwardOneDnn = false;
        INDArray g = BatchNormOps.activationBackward(activation(), lastOutput, epsilon, dx);
        if (g != dx) {
            dx.assign(g);
        }
        return new Pair<>(new DefaultGradient(), dx);
    }

    /** @return whether the last backward pass ran on oneDNN (for tests) */
    boolean lastBackwardOneDnn() {
        return lastBackwardOneDnn;
    }

    @Override
    public void clear() {
        super.clear();
        lastOutput = null;
    }
}
