package io.github.tsm4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.layers.runtime.ResidualAddImpl;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * {@link ResidualAdd} against DL4J's {@link ElementWiseVertex} Add in two chained TSM blocks (the shortcut of the
 * second block is the first block's sum itself, so one gradient array is shared across both blocks): the same
 * outputs, gradients and trained parameters to the last bit, and the vertex survives a JSON round trip.
 */
class ResidualAddTest {

    private static final int SEGMENTS = 2;

    /** conv → [shift → conv] + x → tanh → [shift → conv] + (first sum) → pool → dense → consensus → loss. */
    private static ComputationGraph twoBlocks(boolean residualAdd) {
        CNN2DFormat f = CNN2DFormat.NCHW;
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(11).updater(new Nesterovs(0.05, 0.9)).l2(1e-3)
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(5, 5, 3, f))
                .addLayer("x", conv(8, Activation.TANH), "in")
                .addLayer("shift1", shift(), "x")
                .addLayer("branch1", conv(8, Activation.IDENTITY), "shift1")
                .addVertex("add1", add(residualAdd), "branch1", "x")
                .addLayer("act1", new ActivationLayer.Builder().activation(Activation.TANH).build(), "add1")
                .addLayer("shift2", shift(), "act1")
                .addLayer("branch2", conv(8, Activation.IDENTITY), "shift2")
                .addVertex("add2", add(residualAdd), "branch2", "add1");
        ComputationGraphConfiguration conf = Nets.head(b, "add2", f, SEGMENTS, ConsensusMode.AVG).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static ConvolutionLayer conv(int out, Activation activation) {
        return new ConvolutionLayer.Builder(1, 1).nOut(out).convolutionMode(ConvolutionMode.Same)
                .activation(activation).build();
    }

    private static TemporalShiftLayer shift() {
        return new TemporalShiftLayer.Builder().segments(SEGMENTS).foldDiv(4).build();
    }

    private static GraphVertex add(boolean residualAdd) {
        return residualAdd ? new ResidualAdd() : new ElementWiseVertex(ElementWiseVertex.Op.Add);
    }

    @Test
    void sameOutputsGradientsAndTrainingAsDl4jsAdd() {
        ComputationGraph ours = twoBlocks(true);
        ComputationGraph dl4j = twoBlocks(false);
        assertInstanceOf(ResidualAddImpl.class, ours.getVertex("add1"));
        assertEquals(dl4j.params(), ours.params(), "same seed, same initial parameters");
        INDArray x = Nets.input(CNN2DFormat.NCHW, 3 * SEGMENTS, 5, 3);
        DataSet batch = new DataSet(x, Nets.labels(3));
        assertEquals(dl4j.outputSingle(false, x), ours.outputSingle(false, x));

        dl4j.setInputs(x);
        dl4j.setLabels(batch.getLabels());
        dl4j.computeGradientAndScore();
        ours.setInputs(x);
        ours.setLabels(batch.getLabels());
        ours.computeGradientAndScore();
        assertEquals(dl4j.score(), ours.score());
        INDArray expected = dl4j.gradient().gradient();
        assertEquals(expected, ours.gradient().gradient(), "every parameter's gradient, bit for bit");
        assertNotEquals(0.0, expected.norm2Number().doubleValue());

        for (int step = 0; step < 3; step++) {
            dl4j.fit(batch);
            ours.fit(batch);
        }
        assertEquals(dl4j.params(), ours.params(), "three Nesterov steps with L2, bit for bit");
        assertEquals(dl4j.outputSingle(true, x), ours.outputSingle(true, x));
    }

    @Test
    void survivesJsonAndIsAnElementWiseAdd() {
        ComputationGraphConfiguration conf = twoBlocks(true).getConfiguration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        GraphVertex v = back.getVertices().get("add2");
        assertInstanceOf(ResidualAdd.class, v);
        assertEquals(ElementWiseVertex.Op.Add, ((ElementWiseVertex) v).getOp());
        assertEquals(conf, back);
        assertEquals("ResidualAdd is a sum: op must be Add, found Product",
                assertThrows(IllegalArgumentException.class,
                        () -> new ResidualAdd().setOp(ElementWiseVertex.Op.Product)).getMessage());
    }
}
