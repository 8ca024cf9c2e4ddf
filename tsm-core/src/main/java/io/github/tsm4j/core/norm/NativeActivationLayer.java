package io.github.tsm4j.core.norm;

import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.OneDnn;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 *
 * <p>In such an in-place step, two passes are saved with the residual add before it
 * ({@link io.github.tsm4j.core.layers.ResidualAdd}):
 * <ul>
 *   <li>forward, the add may compute {@code max(a + b, 0)} itself (one oneDNN pass) and say so through
 *       {@link #markInputRectified}; this layer then returns its input without touching it;</li>
 *   <li>backward (oneDNN ReLU, float32), the input gradient is written over the layer's output, which no vertex
 *       reads any more once this layer backpropagates (its readers come later in the forward order, so earlier
 *       backwards), and lives in the step's activations workspace until the step ends. It is returned as a
 *       detached alias of that memory (DL4J checks that a gradient is in the vertex's gradient workspace or in
 *       none), so the add can hand it to both its inputs without the copy an array of this layer's gradient
 *       workspace needs ({@link #ownsInPlaceGradient}). After the step, the activation array holds that
 *       gradient.</li>
 * </ul>
 */
public final class NativeActivationLayer extends ActivationLayer {

    private static final long serialVersionUID = 1L;

    /** DL4J's workspace that holds all activations of a training step ({@code ComputationGraph}). */
    static final String STEP_WORKSPACE = "WS_ALL_LAYERS_ACT";

    private transient INDArray lastOutput;
    private transient OneDnnActivation oneDnn;
    private transient boolean lastBackwardOneDnn;
    /** The array a fused add + ReLU wrote as this layer's next input (already rectified); cleared by activate. */
    private transient INDArray rectifiedInput;
    /** Whether the last forward pass found its input rectified by a fused add (for tests). */
    private transient boolean lastForwardFused;
    /** The in-place gradient the last backward pass returned (alias of the output's memory), or null. */
    private transient INDArray inPlaceGradient;

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
                && inPlaceStep(mgr)) {
            if (rectifiedInput != input) {
                BatchNormOps.activate(activation(), input, input);
            }
            lastForwardFused = rectifiedInput == input;
            rectifiedInput = null;
            lastOutput = input;
            return input;
        }
        rectifiedInput = null;
        lastForwardFused = false;
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
        inPlaceGradient = null;
        NativeActivation c = (NativeActivation) layerConf();
        boolean oneDnnPass = c.isOneDnn() && activation() != ConvActivation.IDENTITY
                && java.util.Arrays.equals(lastOutput.shape(), epsilon.shape()) && OneDnn.suits(lastOutput, epsilon);
        if (oneDnnPass && lastOutput == input && c.isInPlaceInTraining()
                && OneDnn.availableFor("activations", c.getLayerName())) {
            // the output was the input (in place); no vertex reads it any more: the gradient goes over it
            if (oneDnn == null) {
                oneDnn = new OneDnnActivation(activation());
            }
            oneDnn.backward(lastOutput, epsilon, lastOutput);
            lastBackwardOneDnn = true;
            inPlaceGradient = lastOutput.isAttached() ? detachedAlias(lastOutput) : lastOutput;
            lastOutput = null;
            return new Pair<>(new DefaultGradient(), inPlaceGradient);
        }
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
        if (oneDnnPass && OneDnn.suits(dx) && OneDnn.availableFor("activations", c.getLayerName())) {
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

    /**
     * Says that {@code input}, this layer's next input, already holds {@code max(x, 0)}: a residual add wrote it
     * with the ReLU fused. If the next training step runs in place on exactly that array, this layer returns it
     * untouched; otherwise the mark is dropped and the ReLU runs as usual (it changes nothing on rectified values).
     *
     * @param input the array the producing vertex returned as this layer's input
     * @throws IllegalStateException if this layer's activation is not a ReLU
     */
    public void markInputRectified(INDArray input) {
        if (activation() != ConvActivation.RELU) {
            throw new IllegalStateException("NativeActivation '" + layerConf().getLayerName()
                    + "': only a ReLU takes a rectified input, this layer is " + activation());
        }
        rectifiedInput = input;
    }

    /**
     * Whether {@code gradient} is the input gradient this layer's last backward pass wrote over its own output: an
     * array that stays valid, and that nothing else writes, until the training step ends — the producing vertex
     * may hand it on without copying it into its gradient workspace.
     *
     * @param gradient the gradient the producing vertex received
     * @return true if it is this layer's in-place gradient
     */
    public boolean ownsInPlaceGradient(INDArray gradient) {
        return gradient != null && gradient == inPlaceGradient;
    }

    /**
     * Whether this layer, given a dense input, would run in place in a training forward pass with these workspaces
     * and can take a fused add + ReLU before it: a ReLU, in place in training, backpropagating on oneDNN, in a step
     * of {@code ComputationGraph.fit} (all activations in DL4J's per-step workspace, or no workspaces). Elsewhere
     * ({@code output(true, …)}, {@code feedForward(…, true)}) the sum keeps its own value.
     *
     * @param mgr the workspace manager of the forward pass
     * @return true if the producing residual add may fuse the ReLU and mark the input rectified
     */
    public boolean fusesResidualRelu(LayerWorkspaceMgr mgr) {
        NativeActivation c = (NativeActivation) layerConf();
        return activation() == ConvActivation.RELU && c.isInPlaceInTraining() && c.isOneDnn() && inPlaceStep(mgr);
    }

    /** Whether the activations of this forward pass live until backpropagation ends (a training step's). */
    private static boolean inPlaceStep(LayerWorkspaceMgr mgr) {
        return mgr.isScopedOut(ArrayType.ACTIVATIONS)
                || STEP_WORKSPACE.equals(mgr.getWorkspaceName(ArrayType.ACTIVATIONS));
    }

    /** A detached array over the memory of {@code a} (dense, not a view): valid as long as that memory is. */
    private static INDArray detachedAlias(INDArray a) {
        long n = a.length();
        FloatPointer p = new FloatPointer(OneDnn.handle(a));
        p.position(0).capacity(n).limit(n);
        DataBuffer b = Nd4j.createBuffer(p, DataType.FLOAT, n, FloatIndexer.create(p));
        return Nd4j.create(b, a.shape(), a.stride(), 0, a.ordering());
    }

    /** @return whether the last forward pass returned an input a fused add had rectified (for tests) */
    boolean lastForwardFused() {
        return lastForwardFused;
    }

    /** @return whether the last backward pass ran on oneDNN (for tests) */
    boolean lastBackwardOneDnn() {
        return lastBackwardOneDnn;
    }

    @Override
    public void clear() {
        super.clear();
        lastOutput = null;
        rectifiedInput = null;
        inPlaceGradient = null;
    }
}
