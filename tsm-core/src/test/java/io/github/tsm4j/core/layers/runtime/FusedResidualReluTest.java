package io.github.tsm4j.core.layers.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.NativeConv2D;
import io.github.tsm4j.core.conv.OneDnn;
import io.github.tsm4j.core.layers.ResidualAdd;
import io.github.tsm4j.core.norm.NativeActivation;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import java.util.Map;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The residual add fused with the in-place ReLU after it ({@link ResidualAddImpl} with a {@link NativeActivation}
 * ReLU, in place in training, on oneDNN): forward {@code max(a + b, 0)} in one pass, backward the ReLU's gradient
 * written over its output and handed to both summands uncopied. Three chained blocks, float32, DL4J's
 * workspaces on (the in-place gradient lives in the step's activation workspace) and off, NHWC and NCHW, oneDNN
 * convolutions: identical gradients and trained
 * parameters, to the last bit, to the same network with DL4J's add and a ReLU that writes new arrays. The blocks
 * cover a shortcut that is the previous block's ReLU (its gradient arrives twice, the second time added into the
 * first) and one through a convolution (the gradient read by two layers).
 */
class FusedResidualReluTest {

    private static final int CLASSES = 3;

    /** The sum and ReLU variants compared. */
    private enum Variant {
        /** {@link ResidualAdd}, in-place ReLU on oneDNN: fused. */
        FUSED,
        /** {@link ResidualAdd}, in-place ReLU on libnd4j: not fused (the state before the fusion). */
        IN_PLACE,
        /** DL4J's add, a ReLU that writes new arrays (oneDNN backward). */
        PLAIN
    }

    private static ComputationGraph net(boolean fused, WorkspaceMode mode, CNN2DFormat f) {
        return net(fused ? Variant.FUSED : Variant.PLAIN, mode, f);
    }

    private static ComputationGraph net(Variant variant, WorkspaceMode mode) {
        return net(variant, mode, CNN2DFormat.NHWC);
    }

    private static ComputationGraph net(Variant variant, WorkspaceMode mode, CNN2DFormat f) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).seed(5).updater(new Nesterovs(0.05, 0.9)).l2(1e-3)
                .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode)
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(6, 6, 3, f))
                .addLayer("stem", conv(8, f), "in")
                .addLayer("x0", relu(variant), "stem")
                .addLayer("b1", conv(8, f), "x0")
                .addVertex("add1", add(variant), "b1", "x0")
                .addLayer("x1", relu(variant), "add1")
                .addLayer("b2", conv(8, f), "x1")
                .addVertex("add2", add(variant), "b2", "x1")
                .addLayer("x2", relu(variant), "add2")
                .addLayer("b3", conv(8, f), "x2")
                .addLayer("d3", conv(8, f), "x2")
                .addVertex("add3", add(variant), "b3", "d3")
                .addLayer("x3", relu(variant), "add3")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).poolingDimensions(f == CNN2DFormat.NHWC ? new int[] {1, 2} : new int[] {2, 3}).build(),
                        "x3")
                .addLayer("fc", new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build(), "gap")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    private static NativeConv2D conv(int out, CNN2DFormat f) {
        return NativeConv2D.builder().kernel(3, 3).padding(1, 1).nOut(out).format(f).oneDnn(true).build();
    }

    private static NativeActivation relu(Variant v) {
        return new NativeActivation(ConvActivation.RELU, v != Variant.PLAIN).oneDnn(v != Variant.IN_PLACE);
    }

    private static GraphVertex add(Variant v) {
        return v != Variant.PLAIN ? new ResidualAdd() : new ElementWiseVertex(ElementWiseVertex.Op.Add);
    }

    private static float[] floats(INDArray a) {
        return a.dup().data().asFloat();
    }

    @ParameterizedTest
    @CsvSource({"ENABLED, NHWC", "NONE, NHWC", "ENABLED, NCHW"})
    void fusedBlocksTrainBitForBitLikeTheSeparateAddAndRelu(WorkspaceMode mode, CNN2DFormat f) {
        assertTrue(OneDnn.available(), "oneDNN's natives are a test dependency of tsm-core");
        ComputationGraph fused = net(true, mode, f);
        ComputationGraph plain = net(false, mode, f);
        assertArrayEquals(floats(plain.params()), floats(fused.params()), "same seed, same initial parameters");
        Nd4j.getRandom().setSeed(3);
        INDArray x = (f == CNN2DFormat.NHWC ? Nd4j.rand(DataType.FLOAT, 4, 6, 6, 3)
                : Nd4j.rand(DataType.FLOAT, 4, 3, 6, 6)).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, CLASSES);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % CLASSES, 1f);
        }
        DataSet batch = new DataSet(x, y);

        for (ComputationGraph g : new ComputationGraph[] {plain, fused}) {
            g.setInputs(x);
            g.setLabels(y);
            g.computeGradientAndScore();
        }
        assertEquals(plain.score(), fused.score());
        float[] expected = floats(plain.gradient().gradient());
        assertArrayEquals(expected, floats(fused.gradient().gradient()), "every parameter's gradient, bit for bit");
        assertNotEquals(0.0, plain.gradient().gradient().norm2Number().doubleValue());
        for (String add : new String[] {"add1", "add2", "add3"}) {
            ResidualAddImpl v = (ResidualAddImpl) fused.getVertex(add);
            assertTrue(v.lastForwardFused(), add + ": sum and ReLU in one pass");
            assertTrue(v.lastBackwardShared(), add + ": the ReLU's in-place gradient handed on uncopied");
        }

        for (int step = 0; step < 4; step++) {
            plain.fit(batch);
            fused.fit(batch);
        }
        assertArrayEquals(floats(plain.params()), floats(fused.params()),
                "four Nesterov steps with L2 in DL4J's workspaces, bit for bit");
        assertArrayEquals(floats(plain.outputSingle(false, x)), floats(fused.outputSingle(false, x)));
        assertArrayEquals(floats(plain.outputSingle(true, x)), floats(fused.outputSingle(true, x)),
                "a training-mode forward pass outside fit gives the same output");
    }

    /**
     * The fusion runs exactly where the ReLU runs in place: {@code feedForward(x, true)} (all activations in the
     * step's workspace) fuses and shows what the in-place ReLU without fusion showed (the sum already rectified, as
     * before); {@code output(true, x)} (DL4J releases each vertex's workspace) does not fuse.
     */
    @Test
    void fusesExactlyWhereTheReluRunsInPlace() {
        ComputationGraph fused = net(Variant.FUSED, WorkspaceMode.ENABLED);
        ComputationGraph inPlace = net(Variant.IN_PLACE, WorkspaceMode.ENABLED);
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 6, 6, 3).subi(0.5);
        Map<String, INDArray> ours = fused.feedForward(x, true);
        assertTrue(((ResidualAddImpl) fused.getVertex("add1")).lastForwardFused());
        Map<String, INDArray> before = inPlace.feedForward(x, true);
        assertFalse(((ResidualAddImpl) inPlace.getVertex("add1")).lastForwardFused(), "libnd4j ReLU: no fusion");
        assertEquals(before.keySet(), ours.keySet());
        for (String v : before.keySet()) {
            assertArrayEquals(floats(before.get(v)), floats(ours.get(v)), v);
        }
        INDArray out = fused.outputSingle(true, x);
        assertFalse(((ResidualAddImpl) fused.getVertex("add1")).lastForwardFused(),
                "output(true, x): the ReLU writes a new array, the sum keeps its own value");
        assertArrayEquals(floats(inPlace.outputSingle(true, x)), floats(out));
    }

    @Test
    void anInferencePassTakesTheUnfusedPath() {
        ComputationGraph fused = net(Variant.FUSED, WorkspaceMode.ENABLED);
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 6, 6, 3);
        fused.outputSingle(false, x);
        assertFalse(((ResidualAddImpl) fused.getVertex("add1")).lastForwardFused(),
                "an inference pass has no in-place ReLU to fuse with");
    }
}
