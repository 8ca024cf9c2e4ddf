package io.github.tsm4j.examples.spark;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.layers.SegmentConsensusLayer;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A tiny TSM for tests: conv → shift → conv → shift → conv → global average → fc → segment consensus → softmax. */
final class TinyTsm {
    private TinyTsm() {}

    static ComputationGraph create(int segments, int size, int numClasses, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(3e-3))
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(size, size, 3))
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(8)
                        .activation(Activation.RELU).build(), "input")
                .addLayer("shift1", new TemporalShiftLayer.Builder().segments(segments).foldDiv(4).build(), "conv1")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(16)
                        .activation(Activation.RELU).build(), "shift1")
                .addLayer("shift2", new TemporalShiftLayer.Builder().segments(segments).foldDiv(4).build(), "conv2")
                .addLayer("conv3", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(16)
                        .activation(Activation.RELU).build(), "shift2")
                .addLayer("avgpool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "conv3")
                .addLayer("fc", new DenseLayer.Builder().nOut(numClasses).activation(Activation.IDENTITY).build(),
                        "avgpool")
                .addLayer("consensus", new SegmentConsensusLayer.Builder().segments(segments)
                        .mode(ConsensusMode.AVG).build(), "fc")
                .addLayer("loss", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), "consensus")
                .setOutputs("loss")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }
}
