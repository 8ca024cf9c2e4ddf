package io.github.tsm4j.core.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.nio.file.Path;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
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
class NativeConvTest {

    private static MultiLayerNetwork net(DataType type, InputType inputType, Layer... layers) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Truncate).list();
        for (Layer l : layers) {
            b.layer(l);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(b.setInputType(inputType).build());
        net.init();
        return net;
    }

    private static INDArray input(CNN2DFormat f, DataType type, int n, int c, int h, int w) {
        Nd4j.getRandom().setSeed(11);
        return f == CNN2DFormat.NHWC ? Nd4j.randn(type, n, h, w, c) : Nd4j.randn(type, n, c, h, w);
    }

    private static void assertClose(INDArray expected, INDArray actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape());
        double maxDiff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(maxDiff < tol, "max |difference| " + maxDiff + " >= " + tol);
    }

    private void convEqualsStock(CNN2DFormat f, Activation act, ConvActivation nact) {
        InputType it = InputType.convolutional(13, 11, 6, f);
        MultiLayerNetwork stock = net(DataType.FLOAT, it, new ConvolutionLayer.Builder(3, 3).stride(2, 2)
                .padding(1, 1).nOut(10).activation(act).dataFormat(f).hasBias(true).build());
        MultiLayerNetwork ours = net(DataType.FLOAT, it, NativeConv2D.builder().kernel(3, 3).stride(2, 2)
                .padding(1, 1).nOut(10).format(f).hasBias(true).convActivation(nact).build());
        ours.getLayer(0).setParam("W", stock.getLayer(0).getParam("W"));
        ours.getLayer(0).setParam("b", Nd4j.rand(DataType.FLOAT, 1, 10));
        stock.getLayer(0).setParam("b", ours.getLayer(0).getParam("b"));
        INDArray x = input(f, DataType.FLOAT, 3, 6, 13, 11);
        INDArray expected = stock.output(x);
        INDArray actual = ours.output(x);
        assertArrayEquals(f == CNN2DFormat.NHWC ? new long[] {3, 7, 6, 10} : new long[] {3, 10, 7, 6},
                actual.shape());
        assertClose(expected, actual, 1e-4);
    }

    @Test
    void conv2dMatchesStockConvolutionLayerNchw() {
        convEqualsStock(CNN2DFormat.NCHW, Activation.IDENTITY, ConvActivation.IDENTITY);
        convEqualsStock(CNN2DFormat.NCHW, Activation.RELU, ConvActivation.RELU);
    }

    @Test
    void conv2dMatchesStockConvolutionLayerNhwc() {
        convEqualsStock(CNN2DFormat.NHWC, Activation.IDENTITY, ConvActivation.IDENTITY);
        convEqualsStock(CNN2DFormat.NHWC, Activation.RELU6, ConvActivation.RELU6);
    }

    private void depthwiseEqualsStock(CNN2DFormat f) {
        InputType it = InputType.convolutional(9, 10, 5, f);
        MultiLayerNetwork stock = net(DataType.FLOAT, it, new DepthwiseConvolution2D.Builder(3, 3).stride(2, 2)
                .padding(1, 1).depthMultiplier(1).nOut(5).activation(Activation.RELU6).dataFormat(f)
                .hasBias(true).build());
        MultiLayerNetwork ours = net(DataType.FLOAT, it, NativeDepthwiseConv2D.builder().kernel(3, 3).stride(2, 2)
                .padding(1, 1).format(f).hasBias(true).convActivation(ConvActivation.RELU6).build());
        // both store [kH, kW, C, 1]
        INDArray w = Nd4j.randn(DataType.FLOAT, 3, 3, 5, 1);
        ours.getLayer(0).setParam("W", w);
        stock.getLayer(0).setParam("W", w);
        INDArray b = Nd4j.rand(DataType.FLOAT, 1, 5);
        ours.getLayer(0).setParam("b", b);
        stock.getLayer(0).setParam("b", b);
        INDArray x = input(f, DataType.FLOAT, 2, 5, 9, 10);
        assertClose(stock.output(x), ours.output(x), 1e-4);
    }

    @Test
    void depthwiseMatchesStockDepthwiseConvolution2D() {
        depthwiseEqualsStock(CNN2DFormat.NCHW);
        depthwiseEqualsStock(CNN2DFormat.NHWC);
    }

    private void gradientCheck(CNN2DFormat f) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        MultiLayerNetwork net = net(DataType.DOUBLE, InputType.convolutional(7, 6, 3, f),
                NativeConv2D.builder().kernel(3, 3).stride(2, 1).padding(1, 1).nOut(4).format(f).hasBias(true)
                        .convActivation(ConvActivation.IDENTITY).build(),
                NativeDepthwiseConv2D.builder().kernel(3, 3).padding(1, 1).format(f).hasBias(true)
                        .convActivation(ConvActivation.RELU6).build(),
                NativeConv2D.builder().kernel(1, 1).nOut(3).format(f).build(),
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                        .build());
        INDArray x = input(f, DataType.DOUBLE, 2, 3, 7, 6);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 2, 2);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
        assertTrue(ok, "gradient check " + f);
    }

    @Test
    void gradientsPassGradientCheckNchw() {
        gradientCheck(CNN2DFormat.NCHW);
    }

    @Test
    void gradientsPassGradientCheckNhwc() {
        gradientCheck(CNN2DFormat.NHWC);
    }

    @Test
    void parameterCountsAndShapesFollowPyTorch() {
        MultiLayerNetwork net = net(DataType.FLOAT, InputType.convolutional(8, 8, 3, CNN2DFormat.NHWC),
                NativeConv2D.builder().kernel(3, 3).nOut(16).format(CNN2DFormat.NHWC).build(),
                NativeDepthwiseConv2D.builder().kernel(3, 3).format(CNN2DFormat.NHWC).hasBias(true).build());
        assertEquals(16 * 3 * 3 * 3 + 16 * 9 + 16, net.numParams());
        assertArrayEquals(new long[] {16, 3, 3, 3}, net.getLayer(0).getParam("W").shape());
        assertArrayEquals(new long[] {3, 3, 16, 1}, net.getLayer(1).getParam("W").shape());
        assertArrayEquals(new long[] {1, 16}, net.getLayer(1).getParam("b").shape());
    }

    @Test
    void roundTripsThroughJsonAndModelSerializer(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = net(DataType.FLOAT, InputType.convolutional(8, 8, 3, CNN2DFormat.NHWC),
                NativeConv2D.builder().kernel(3, 3).stride(2, 2).padding(1, 1).nOut(8).format(CNN2DFormat.NHWC)
                        .hasBias(true).convActivation(ConvActivation.RELU).build(),
                NativeDepthwiseConv2D.builder().kernel(3, 3).padding(1, 1).format(CNN2DFormat.NHWC)
                        .convActivation(ConvActivation.RELU6).build());
        String json = net.getLayerWiseConfigurations().toJson();
        assertEquals(net.getLayerWiseConfigurations(), MultiLayerConfiguration.fromJson(json));
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, file, false);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(file);
        INDArray x = input(CNN2DFormat.NHWC, DataType.FLOAT, 2, 3, 8, 8);
        assertEquals(net.output(x), back.output(x));
    }

    @Test
    void wrongChannelCountNamesLayerAndLayout() {
        MultiLayerNetwork net = net(DataType.FLOAT, InputType.convolutional(8, 8, 3, CNN2DFormat.NCHW),
                NativeConv2D.builder().name("stem").kernel(3, 3).nOut(4).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.getLayer(0).activate(Nd4j.zeros(DataType.FLOAT, 1, 5, 8, 8), false,
                        org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()));
        assertEquals("NativeConv2D 'stem' (index 0): expected input [N, 3, H, W] (NCHW), found [1, 5, 8, 8]",
                e.getMessage());
    }

    @Test
    void inputFormatMismatchIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net(DataType.FLOAT, InputType.convolutional(8, 8, 3, CNN2DFormat.NCHW),
                        NativeConv2D.builder().name("c1").kernel(3, 3).nOut(4).format(CNN2DFormat.NHWC).build()));
        assertEquals("NativeConv2D 'c1': input format NCHW but the layer is configured for NHWC", e.getMessage());
    }
}
