package io.github.tsm4j.examples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The workers' loss is the data loss of the parameters each step started from: two networks that differ only in
 * their weight decay report the same loss for the same first step, although the decayed one's penalty moves by
 * far more than the tolerance in that step.
 */
class LossListenerTest {

    private static ComputationGraph net(double weightDecay) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Sgd(1.0)).weightDecay(weightDecay).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void theLossOfAStepIsItsScoreLessThePenaltyOfTheParametersItStartedFrom() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 6);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 3);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        DataSet batch = new DataSet(x, y);
        double[] loss = new double[2];
        double[] penaltyChange = new double[2];
        double[] decay = {0, 0.5};
        for (int run = 0; run < 2; run++) {
            ComputationGraph g = net(decay[run]);
            DoubleAccumulator sum = new DoubleAccumulator();
            LongAccumulator count = new LongAccumulator();
            g.setListeners(new SparkEpochFitter.LossListener(sum, count));
            double before = g.calcRegularizationScore(true);
            g.fit(batch);
            penaltyChange[run] = before - g.calcRegularizationScore(true);
            assertEquals(1, count.value());
            loss[run] = sum.value();
        }
        assertEquals(0, penaltyChange[0]);
        assertTrue(penaltyChange[1] > 0.01, "the decayed step changes the penalty: " + penaltyChange[1]);
        assertEquals(loss[0], loss[1], 1e-6 * loss[0], "the same data loss without and with weight decay");
    }
}
