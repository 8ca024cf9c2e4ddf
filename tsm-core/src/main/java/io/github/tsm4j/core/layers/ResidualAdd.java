package io.github.tsm4j.core.layers;

import io.github.tsm4j.core.layers.runtime.ResidualAddImpl;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise sum that closes a residual block ({@code out = a + b}, inputs and output of one shape, e.g.
 * {@code [N·T, H, W, C]}): DL4J's {@link ElementWiseVertex} {@code Add} — so every tool that reads graphs (the
 * inference executor, BatchNorm folding, ONNX export) treats it as one — with a leaner runtime
 * ({@link ResidualAddImpl}): the forward pass is one {@code add} into the output (DL4J copies the first input and
 * adds the second: five passes over the activation instead of three), and the backward pass copies the incoming
 * gradient once into the vertex's workspace and hands that one array to both inputs (DL4J copies it once per
 * input: four passes instead of two). It equals DL4J's vertex ({@code equals}), computes the same values bit for bit
 * and serialises through DL4J's Jackson mapper as itself.
 *
 * <p>Handing one gradient array to two inputs is safe where neither input's vertex changes it before the other has
 * read it. DL4J's graph adds a vertex's later gradients into the array it received first, in place; in a residual
 * block the shortcut's source (the block input) receives its second gradient — from the first layer of the branch —
 * only after the whole branch, including the branch's end that reads the shared array, has run backwards. The
 * network builders use it for exactly that; anything else should use {@link ElementWiseVertex}. Inputs of different
 * shapes (broadcasting) take DL4J's path.
 */
public class ResidualAdd extends ElementWiseVertex {

    private static final long serialVersionUID = 1L;

    /** A two-input sum. */
    public ResidualAdd() {
        super(Op.Add);
    }

    @Override
    public ResidualAdd clone() {
        return new ResidualAdd();
    }

    @Override
    public void setOp(Op op) {
        if (op != Op.Add) {
            throw new IllegalArgumentException("ResidualAdd is a sum: op must be Add, found " + op);
        }
        super.setOp(op);
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
            boolean initializeParams, DataType networkDatatype) {
        return new ResidualAddImpl(graph, name, idx, networkDatatype);
    }

    @Override
    public String toString() {
        return "ResidualAdd()";
    }
}
