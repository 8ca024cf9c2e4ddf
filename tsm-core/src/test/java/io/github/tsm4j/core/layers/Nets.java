package io.github.tsm4j.core.layers;

import io.github.tsm4j.core.ConsensusMode;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Tiny test networks: conv 1×1 (4 channels) → temporal layer → conv 2×2 (3 channels) → global average pool → dense → consensus → loss. */
final class Nets {

    static final int CLASSES = 3;

    private Nets() {
    }

    /**
     * @param temporal the layer between the convolutions (shift, pool, online shift)
     * @param consensusSegments T seen by the consensus (after any temporal pooling)
     */
    static ComputationGraph graph(Layer temporal, CNN2DFormat format, int consensusSegments, ConsensusMode mode,
            int size) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(42)
                .updater(new NoOp())
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(size, size, 3, format))
                .addLayer("conv1", new ConvolutionLayer.Builder(1, 1).nOut(4).dataFormat(format)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build(), "in")
                .addLayer("temporal", temporal, "conv1")
                .addLayer("conv2", new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(format)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build(), "temporal");
        ComputationGraphConfiguration conf = head(b, "conv2", format, consensusSegments, mode).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** Global average pool → dense ({@link #CLASSES}) → consensus → softmax cross-entropy, after {@code input}. */
    static ComputationGraphConfiguration.GraphBuilder head(ComputationGraphConfiguration.GraphBuilder b, String input,
            CNN2DFormat format, int consensusSegments, ConsensusMode mode) {
        return b.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG)
                        .poolingDimensions(format == CNN2DFormat.NCHW ? new int[] {2, 3} : new int[] {1, 2}).build(),
                        input)
                .addLayer("fc", new DenseLayer.Builder().nOut(CLASSES).activation(Activation.IDENTITY).build(), "gap")
                .addLayer("consensus", new SegmentConsensusLayer.Builder().segments(consensusSegments).mode(mode)
                        .build(), "fc")
                .addLayer("loss", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), "consensus")
                .setOutputs("loss");
    }

    static INDArray input(CNN2DFormat format, int frames, int size, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return format == CNN2DFormat.NCHW
                ? Nd4j.rand(DataType.DOUBLE, frames, 3, size, size)
                : Nd4j.rand(DataType.DOUBLE, frames, size, size, 3);
    }

    static INDArray labels(int clips) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, clips, CLASSES);
        for (int i = 0; i < clips; i++) {
            y.putScalar(i, i % CLASSES, 1.0);
        }
        return y;
    }
}
