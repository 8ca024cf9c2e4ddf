package io.github.tsm4j.models.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A hand-built stand-in for a TSM network (T = 1) and a tiny square-position dataset. */
final class TinyNets {
    private TinyNets() {}

    /** The labels of {@link #model}: a, b, c, … */
    static List<String> labels(int classes) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            l.add(String.valueOf((char) ('a' + i)));
        }
        return l;
    }

    /**
     * {@link #graph} as a {@link io.github.tsm4j.models.TsmModel} (T = 1, 12 px; the configuration describes the
     * input and classes, the stand-in graph is not the ResNet it names), labels {@link #labels}.
     */
    static io.github.tsm4j.models.TsmModel model(int classes, long seed) {
        io.github.tsm4j.models.TsmConfig config = io.github.tsm4j.models.TsmConfig
                .builder(io.github.tsm4j.models.Backbone.RESNET18, classes).segments(1).inputSize(12, 12).build();
        return io.github.tsm4j.models.TsmModel.wrap(graph(classes, seed), config, labels(classes));
    }

    /** conv1 → bn1 → conv2 → bn2 → global average pool → fc → softmax loss, on [N, 3, 12, 12]. */
    static ComputationGraph graph(int classes, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(12, 12, 3))
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "input")
                .addLayer("bn1", new BatchNormalization.Builder().useLogStd(false)
                        .activation(Activation.RELU).build(), "conv1")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(6).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "bn1")
                .addLayer("bn2", new BatchNormalization.Builder().useLogStd(false)
                        .activation(Activation.RELU).build(), "conv2")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn2")
                .addLayer("fc", new DenseLayer.Builder().nOut(classes).activation(Activation.IDENTITY)
                        .dropOut(0.5).build(), "pool")
                .addLayer("loss", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("loss")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** Class c: a bright 4×4 square in quadrant c (of 4), on noise. Deterministic for a seed. */
    static List<DataSet> squares(int examples, int classes, long seed) {
        Random r = new Random(seed);
        List<DataSet> list = new ArrayList<>();
        for (int i = 0; i < examples; i++) {
            int c = i % classes;
            float[] pixels = new float[3 * 12 * 12];
            for (int p = 0; p < pixels.length; p++) {
                pixels[p] = (float) (r.nextGaussian() * 0.3);
            }
            int y0 = (c / 2) * 6 + 1 + r.nextInt(2);
            int x0 = (c % 2) * 6 + 1 + r.nextInt(2);
            for (int ch = 0; ch < 3; ch++) {
                for (int y = y0; y < y0 + 4; y++) {
                    for (int x = x0; x < x0 + 4; x++) {
                        pixels[ch * 144 + y * 12 + x] += 2f;
                    }
                }
            }
            INDArray f = Nd4j.create(pixels, new long[] {1, 3, 12, 12});
            INDArray l = Nd4j.zeros(DataType.FLOAT, 1, classes);
            l.putScalar(0, c, 1);
            list.add(new DataSet(f, l));
        }
        return list;
    }

    static InMemoryIterator iterator(List<DataSet> data, int batch) {
        return new InMemoryIterator(data, batch);
    }
}
