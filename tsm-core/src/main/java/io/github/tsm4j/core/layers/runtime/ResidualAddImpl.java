package io.github.tsm4j.core.layers.runtime;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
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
 */
public class ResidualAddImpl extends ElementWiseVertex {

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
        Nd4j.exec(new AddOp(new INDArray[] {inputs[0], inputs[1]}, new INDArray[] {out}));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward() || !plain()) {
            return super.doBackward(tbptt, workspaceMgr);
        }
        // d(a + b)/da = d(a + b)/db = 1: both inputs receive the incoming gradient, one copy in this vertex's
        // workspace (the incoming array belongs to the workspace of the vertex after this one)
        INDArray g = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
        return new Pair<>(null, new INDArray[] {g, g});
    }

    @Override
    public String toString() {
        return "ResidualAddImpl(id=" + getVertexIndex() + ",name=\"" + getVertexName() + "\")";
    }
}
