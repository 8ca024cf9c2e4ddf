package io.github.tsm4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.conv.NativeConv2D;
import io.github.tsm4j.core.norm.NativeBatchNorm;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The native layers' regularisation score against DL4J's definition (each regularisation's own {@code score},
 * summed over parameters): L2 and weight decay on weights and biases (none on BatchNorm's γ and β, as in DL4J),
 * and L1 beside L2
 * (DL4J's own score), within float rounding of {@code norm2²}.
 */
@ExtendWith(RestoreNd4jGlobals.class)
class RegularizationScoreTest {

    private static ComputationGraph net(boolean nativeLayers, NeuralNetConfiguration.Builder globals) {
        var b = globals.seed(5).dataType(DataType.FLOAT).updater(new Sgd(0.1))
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(6, 6, 3));
        if (nativeLayers) {
            b.addLayer("conv", NativeConv2D.builder().kernel(3, 3).padding(1, 1).nOut(4).hasBias(true).build(), "in");
            b.addLayer("bn", NativeBatchNorm.builder().channels(4).build(), "conv");
        } else {
            b.addLayer("conv", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(4).hasBias(true)
                    .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build(), "in");
            b.addLayer("bn", new BatchNormalization.Builder().useLogStd(false).build(), "conv");
        }
        b.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    /** DL4J's definition ({@code BaseLayer.calcRegularizationScore}): each regularisation's own score, summed. */
    private static double dl4jScore(org.deeplearning4j.nn.api.Layer layer) {
        double sum = 0;
        var conf = (org.deeplearning4j.nn.conf.layers.BaseLayer) layer.conf().getLayer();
        for (var e : layer.paramTable().entrySet()) {
            var regs = conf.getRegularizationByParam(e.getKey());
            for (var r : regs == null ? java.util.List.<org.nd4j.linalg.learning.regularization.Regularization>of()
                    : regs) {
                sum += r.score(e.getValue(), 0, 0);
            }
        }
        return sum;
    }

    private static void assertSameScore(NeuralNetConfiguration.Builder globals) {
        ComputationGraph fast = net(true, globals);
        fast.params().muli(3); // larger than init, so every term counts
        INDArray gamma = fast.getLayer("bn").getParam("gamma");
        gamma.assign(Nd4j.createFromArray(0.5f, 1f, 1.5f, 2f).reshape(gamma.shape()));
        INDArray beta = fast.getLayer("bn").getParam("beta");
        beta.assign(Nd4j.createFromArray(-1f, -0.25f, 0.5f, 1f).reshape(beta.shape()));
        double total = 0;
        for (String layer : new String[] {"conv", "bn"}) {
            double expected = dl4jScore(fast.getLayer(layer));
            double actual = fast.getLayer(layer).calcRegularizationScore(true);
            assertTrue(expected > 0 || layer.equals("bn"), layer + " has a score"); // DL4J: none on BatchNorm
            assertEquals(expected, actual, 1e-6 * expected, layer);
            total += expected;
        }
        total += dl4jScore(fast.getLayer("out"));
        assertEquals(total, fast.calcRegularizationScore(true), 1e-6 * total);
    }

    @Test
    void l2AndWeightDecayScoresEqualDl4jsStockLayers() {
        assertSameScore(new NeuralNetConfiguration.Builder().l2(1e-2).l2Bias(3e-3));
        assertSameScore(new NeuralNetConfiguration.Builder().weightDecay(5e-4).weightDecayBias(1e-4, true));
    }

    @Test
    void otherRegularisationsTakeTheirOwnScore() {
        assertSameScore(new NeuralNetConfiguration.Builder().regularization(
                java.util.List.of(new L1Regularization(1e-3), new L2Regularization(1e-2))));
    }
}
