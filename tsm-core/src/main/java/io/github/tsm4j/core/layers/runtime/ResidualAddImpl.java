package io.github.tsm4j.core.layers.runtime;

import io.github.tsm4j.core.conv.OneDnn;
import io.github.tsm4j.core.exec.BoundAddRelu;
import io.github.tsm4j.core.norm.NativeActivationLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime of {@link io.github.tsm4j.core.layers.ResidualAdd}: {@code out = a + b} as one libnd4j {@code add} into an
 * activation of the workspace; backwards, one copy of the incoming gradient goes to both inputs as the same array.
 * Inputs of different shapes or data types fall back to DL4J's {@link ElementWiseVertex}.
 *
 * <p>When the sum's only reader is a {@link NativeActivationLayer} ReLU that runs in place in training on oneDNN
 * ({@link NativeActivationLayer#fusesResidualRelu}), a training step's forward pass computes {@code max(a + b, 0)} in one
 * oneDNN pass ({@link BoundAddRelu}, bit-identical to the add and the ReLU) and tells the ReLU, which then returns it
 * untouched; and the backward pass hands the ReLU's in-place gradient (which lives until the step ends,
 * {@link NativeActivationLayer#ownsInPlaceGradient}) to both inputs without copying it. Per residual block of a
 * training step that is four passes over the block's output fewer.
 */
public class ResidualAddImpl extends ElementWiseVertex {

    /** Input shapes kept with a bound primitive (training and evaluation batches may differ). */
    private static final int MAX_PLANS = 4;

    /** The activation layer that alone reads this sum, resolved at the first training pass; null if there is none. */
    private transient NativeActivationLayer relu;
    private transient boolean reluResolved;
    private final transient OneDnn.Plans<BoundAddRelu> plans = new OneDnn.Plans<>(MAX_PLANS, BoundAddRelu::forShape);
    /** For tests: whether the last forward pass ran fused, whether the last backward pass shared the gradient. */
    private transient boolean lastForwardFused;
    private transient boolean lastBackwardShared;

    /**
     * @param graph the network
     * @param name vertex name
     * @param vertexIndex index in the graph
     * @param dataType the network's data type
     */
    public ResidualAddImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, Op.Add, dataType);
    }

    private boolean plain() {
        return inputs.length == 2 && inputs[0].equalShapes(inputs[1])
                && inputs[0].dataType() == inputs[1].dataType() && inputs[0].dataType() == dataType;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward() || !plain()) {
            return super.doForward(training, workspaceMgr);
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, inputs[0].shape(),
                inputs[0].ordering());
        NativeActivationLayer reader = training ? reluReader() : null;
        lastForwardFused = reader != null && reader.fusesResidualRelu(workspaceMgr)
                && BoundAddRelu.supports(inputs[0], inputs[1], out);
        if (lastForwardFused) {
            plans.get(out.shape()).run(inputs[0], inputs[1], out);
            reader.markInputRectified(out);
            return out;
        }
        Nd4j.exec(new AddOp(new INDArray[] {inputs[0], inputs[1]}, new INDArray[] {out}));
        return out;
    }

    /** The {@link NativeActivationLayer} that alone reads this vertex's output, or null; resolved once. */
    private NativeActivationLayer reluReader() {
        if (!reluResolved) {
            reluResolved = true;
            VertexIndices[] readers = getOutputVertices();
            if (readers != null && readers.length == 1) {
                GraphVertex v = graph.getVertices()[readers[0].getVertexIndex()];
                if (v.hasLayer() && v.getLayer() instanceof NativeActivationLayer a) {
                    relu = a;
                }
            }
        }
        return relu;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward() || !plain()) {
            return super.doBackward(tbptt, workspaceMgr);
        }
        // d(a + b)/da = d(a + b)/db = 1: both inputs receive the incoming gradient as one array. It is copied into
        // this vertex's workspace (the incoming array belongs to the workspace of the vertex after this one) unless
        // it is the in-place ReLU's gradient, which lives until the step ends
        lastBackwardShared = relu != null && relu.ownsInPlaceGradient(epsilon);
        INDArray g = lastBackwardShared ? epsilon : workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
        return new Pair<>(null, new INDArray[] {g, g});
    }

    /** @return whether the last forward pass computed the sum and the ReLU in one pass (for tests) */
    boolean lastForwardFused() {
        return lastForwardFused;
    }

    /** @return whether the last backward pass handed on the ReLU's in-place gradient uncopied (for tests) */
    boolean lastBackwardShared() {
        return lastBackwardShared;
    }

    @Override
    public String toString() {
        return "ResidualAddImpl(id=" + getVertexIndex() + ",name=\"" + getVertexName() + "\")";
    }
}
