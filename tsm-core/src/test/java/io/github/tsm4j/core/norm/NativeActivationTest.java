package io.github.tsm4j.core.norm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.NativeConv2D;
import java.io.File;
import java.nio.file.Path;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import io.github.tsm4j.core.RestoreNd4jGlobals;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

@ExtendWith(RestoreNd4jGlobals.class) // sets double-precision defaults / threads / properties
class NativeActivationTest {

    private static MultiLayerNetwork net(DataType type, Layer act) {
        CNN2DFormat f = CNN2DFormat.NHWC;
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).list()
                .layer(NativeConv2D.builder().kernel(3, 3).padding(1, 1).nOut(4).format(f).hasBias(true).build())
                .layer(act)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .setInputType(InputType.convolutional(5, 4, 3, f)).build());
        net.init();
        return net;
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void matchesStockActivationLayerForwardAndBackward() {
        for (ConvActivation a : new ConvActivation[] {ConvActivation.RELU, ConvActivation.RELU6}) {
            MultiLayerNetwork stock = net(DataType.FLOAT, new ActivationLayer.Builder().activation(a.toDl4j()).build());
            MultiLayerNetwork ours = net(DataType.FLOAT, new NativeActivation(a));
            ours.setParams(stock.params().dup());
            Nd4j.getRandom().setSeed(3);
            INDArray x = Nd4j.randn(DataType.FLOAT, 3, 5, 4, 3).muli(4);
            INDArray y = Nd4j.rand(DataType.FLOAT, 3, 2);
            assertEquals(0, maxDiff(stock.output(x, true), ours.output(x, true)), 1e-6);
            stock.setInput(x);
            stock.setLabels(y);
            stock.computeGradientAndScore();
            ours.setInput(x);
            ours.setLabels(y);
            ours.computeGradientAndScore();
            assertEquals(0, maxDiff(stock.gradient().gradient(), ours.gradient().gradient()), 1e-6, a.name());
        }
    }

    @Test
    void inputIsNotModifiedAndItIsAnActivationLayer() {
        MultiLayerNetwork ours = net(DataType.FLOAT, new NativeActivation(ConvActivation.RELU));
        assertInstanceOf(ActivationLayer.class, ours.getLayer(1).conf().getLayer());
        assertEquals(Activation.RELU.getActivationFunction(),
                ((ActivationLayer) ours.getLayer(1).conf().getLayer()).getActivationFn());
        INDArray in = Nd4j.createFromArray(-1f, 2f, -3f, 4f).reshape(1, 2, 2, 1);
        INDArray out = ours.getLayer(1).activate(in, false,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        assertEquals(Nd4j.createFromArray(0f, 2f, 0f, 4f).reshape(1, 2, 2, 1), out);
        assertEquals(Nd4j.createFromArray(-1f, 2f, -3f, 4f).reshape(1, 2, 2, 1), in);
    }

    @Test
    void gradientsPassGradientCheck() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        MultiLayerNetwork net = net(DataType.DOUBLE, new NativeActivation(ConvActivation.RELU));
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 5, 4, 3);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 2, 2);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).subset(true).maxPerParam(8)));
    }

    @Test
    void roundTripsThroughJsonAndModelSerializer(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = net(DataType.FLOAT, new NativeActivation(ConvActivation.RELU6));
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
        assertEquals(net.getLayerWiseConfigurations(), back);
        assertEquals(ConvActivation.RELU6, ((NativeActivation) back.getConf(1).getLayer()).getActivation());
        assertNotEquals(new NativeActivation(ConvActivation.RELU), new NativeActivation(ConvActivation.RELU6));
        assertNotEquals(new NativeActivation(ConvActivation.RELU),
                new ActivationLayer.Builder().activation(Activation.RELU).build());
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, file, false);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 5, 4, 3);
        assertEquals(net.output(x), ModelSerializer.restoreMultiLayerNetwork(file).output(x));
    }
}
