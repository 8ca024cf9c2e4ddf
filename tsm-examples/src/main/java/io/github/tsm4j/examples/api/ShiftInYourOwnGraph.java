package io.github.tsm4j.examples.api;

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
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Insert the temporal shift into your own DL4J {@link ComputationGraph} (between two convolutions, as TSM does
 * inside a residual block), add the segment consensus, and fit one step: the shift is an ordinary parameter-free
 * layer with a hand-written backward pass.
 *
 * <p>Input {@code [N·T, C, H, W]} (the T frames of each clip contiguous), labels {@code [N, K]}.
 */
public final class ShiftInYourOwnGraph {
    private ShiftInYourOwnGraph() {}

    /**
     * The loss before and after one SGD step.
     *
     * @param before loss on the batch before the step
     * @param after loss on the same batch after it
     * @param parameters the network's parameter count
     */
    public record Result(double before, double after, long parameters) {}

    /** @param args unused */
    public static void main(String[] args) {
        Result r = run(8, 2, 32, 5, 7);
        System.out.printf("%d parameters; loss %.4f -> %.4f after one step%n", r.parameters(), r.before(), r.after());
    }

    /**
     * @param segments T, frames per clip
     * @param clips N, clips in the batch
     * @param size frame side in pixels
     * @param classes K
     * @param seed random seed (weights and data)
     * @return losses around one step
     */
    public static Result run(int segments, int clips, int size, int classes, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).updater(new Sgd(0.1)).dataType(DataType.FLOAT)
                .graphBuilder().addInputs("frames").setInputTypes(InputType.convolutional(size, size, 3))
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU)
                        .convolutionMode(ConvolutionMode.Same).build(), "frames")
                // a quarter of conv1's channels move one frame forward or back in time: zero FLOPs, zero parameters
                .addLayer("shift", new TemporalShiftLayer.Builder().segments(segments).foldDiv(8).build(), "conv1")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU)
                        .convolutionMode(ConvolutionMode.Same).build(), "shift")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "conv2")
                .addLayer("fc", new DenseLayer.Builder().nOut(classes).activation(Activation.IDENTITY).build(), "pool")
                .addLayer("consensus", new SegmentConsensusLayer.Builder().segments(segments)
                        .mode(ConsensusMode.AVG).build(), "fc")
                .addLayer("loss", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), "consensus")
                .setOutputs("loss").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();

        Nd4j.getRandom().setSeed(seed);
        INDArray frames = Nd4j.randn(DataType.FLOAT, (long) clips * segments, 3, size, size);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, clips, classes);
        for (int n = 0; n < clips; n++) {
            labels.putScalar(n, n % classes, 1f);
        }
        DataSet batch = new DataSet(frames, labels);
        double before = graph.score(batch);
        graph.fit(batch);
        double after = graph.score(batch);
        return new Result(before, after, graph.numParams());
    }
}
