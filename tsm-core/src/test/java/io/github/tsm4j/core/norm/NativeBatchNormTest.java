package io.github.tsm4j.core.norm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.NativeConv2D;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import io.github.tsm4j.core.RestoreNd4jGlobals;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

@ExtendWith(RestoreNd4jGlobals.class) // sets double-precision defaults / threads / properties
class NativeBatchNormTest {

    private static final int C = 6;

    private static MultiLayerNetwork net(DataType type, IUpdater updater, InputType inputType, Layer... layers) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(updater).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Truncate).list();
        for (Layer l : layers) {
            b.layer(l);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(b.setInputType(inputType).build());
        net.init();
        return net;
    }

    private static INDArray input(CNN2DFormat f, DataType type, int n, int c, int h, int w) {
        Nd4j.getRandom().setSeed(11);
        INDArray x = f == CNN2DFormat.NHWC ? Nd4j.randn(type, n, h, w, c) : Nd4j.randn(type, n, c, h, w);
        return x.muli(2).addi(0.5); // mean and variance away from 0 and 1
    }

    private static void assertClose(INDArray expected, INDArray actual, double tol) {
        assertEquals(expected.length(), actual.length());
        double maxDiff = expected.castTo(DataType.DOUBLE).reshape(expected.length())
                .sub(actual.castTo(DataType.DOUBLE).reshape(actual.length())).amaxNumber()
                .doubleValue();
        assertTrue(maxDiff < tol, "max |difference| " + maxDiff + " >= " + tol);
    }

    private static BatchNormalization stockBn(CNN2DFormat f) {
        return new BatchNormalization.Builder().nOut(C).eps(1e-5).decay(0.9).useLogStd(false).dataFormat(f).build();
    }

    private static NativeBatchNorm nativeBn(CNN2DFormat f, ConvActivation act) {
        return NativeBatchNorm.builder().channels(C).format(f).activation(act).build();
    }

    /** Random γ, β and running statistics, copied into both networks' first layer. */
    private static void sameRandomParams(MultiLayerNetwork a, MultiLayerNetwork b, DataType type) {
        Nd4j.getRandom().setSeed(5);
        INDArray p = Nd4j.rand(type, 4, C).addi(0.5);
        for (MultiLayerNetwork n : List.of(a, b)) {
            n.getLayer(0).setParam("gamma", p.getRow(0, true));
            n.getLayer(0).setParam("beta", p.getRow(1, true).sub(1));
            n.getLayer(0).setParam("mean", p.getRow(2, true).sub(1));
            n.getLayer(0).setParam("var", p.getRow(3, true));
        }
    }

    private void forwardEqualsStock(CNN2DFormat f, ConvActivation act) {
        InputType it = InputType.convolutional(5, 7, C, f);
        MultiLayerNetwork stock = act == ConvActivation.RELU
                ? net(DataType.FLOAT, new NoOp(), it, stockBn(f),
                        new ActivationLayer.Builder().activation(Activation.RELU).build())
                : net(DataType.FLOAT, new NoOp(), it, stockBn(f));
        MultiLayerNetwork ours = net(DataType.FLOAT, new NoOp(), it, nativeBn(f, act));
        sameRandomParams(stock, ours, DataType.FLOAT);
        INDArray x = input(f, DataType.FLOAT, 3, C, 5, 7);
        assertClose(stock.output(x, true), ours.output(x, true), 1e-5);
        assertClose(stock.output(x, false), ours.output(x, false), 1e-5);
    }

    @Test
    void forwardMatchesStockBatchNormalizationInTrainingAndInference() {
        for (CNN2DFormat f : CNN2DFormat.values()) {
            forwardEqualsStock(f, ConvActivation.IDENTITY);
            forwardEqualsStock(f, ConvActivation.RELU);
        }
    }

    @Test
    void trainingOutputIsNormalisedWithTheBiasedBatchVariance() {
        MultiLayerNetwork ours = net(DataType.DOUBLE, new NoOp(), InputType.convolutional(4, 3, C, CNN2DFormat.NHWC),
                nativeBn(CNN2DFormat.NHWC, ConvActivation.IDENTITY));
        INDArray x = input(CNN2DFormat.NHWC, DataType.DOUBLE, 2, C, 4, 3);
        INDArray y = ours.output(x, true).reshape(24, C);
        // γ = 1, β = 0: every channel has mean 0 and biased variance var/(var + eps)
        INDArray x2 = x.reshape(24, C);
        for (int c = 0; c < C; c++) {
            double var = x2.getColumn(c).var(false).getDouble(0);
            assertEquals(0, y.getColumn(c).meanNumber().doubleValue(), 1e-12);
            assertEquals(var / (var + 1e-5), y.getColumn(c).var(false).getDouble(0), 1e-12);
        }
    }

    private static MultiLayerNetwork withHead(DataType type, IUpdater updater, InputType it, Layer bn) {
        return net(type, updater, it, bn, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(),
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                        .build());
    }

    @Test
    void runningStatisticsMoveLikePyTorchWithUnbiasedVariance() {
        for (CNN2DFormat f : CNN2DFormat.values()) {
            InputType it = InputType.convolutional(4, 5, C, f);
            MultiLayerNetwork stock = withHead(DataType.DOUBLE, new Sgd(0), it, stockBn(f));
            MultiLayerNetwork ours = withHead(DataType.DOUBLE, new Sgd(0), it, nativeBn(f, ConvActivation.RELU));
            sameRandomParams(stock, ours, DataType.DOUBLE);
            INDArray mean0 = ours.getLayer(0).getParam("mean").dup();
            INDArray var0 = ours.getLayer(0).getParam("var").dup();
            INDArray x = input(f, DataType.DOUBLE, 3, C, 4, 5);
            DataSet ds = new DataSet(x, Nd4j.rand(DataType.DOUBLE, 3, 2));
            stock.fit(ds);
            ours.fit(ds);
            int[] dims = f == CNN2DFormat.NHWC ? new int[] {0, 1, 2} : new int[] {0, 2, 3};
            INDArray batchMean = x.mean(dims).reshape(1, C);
            INDArray biased = x.var(false, dims).reshape(1, C);
            INDArray unbiased = x.var(true, dims).reshape(1, C);
            assertClose(mean0.mul(0.9).add(batchMean.mul(0.1)), ours.getLayer(0).getParam("mean"), 1e-12);
            assertClose(var0.mul(0.9).add(unbiased.mul(0.1)), ours.getLayer(0).getParam("var"), 1e-12);
            // DL4J's stock layer: the same mean, the biased variance in its running estimate
            assertClose(stock.getLayer(0).getParam("mean"), ours.getLayer(0).getParam("mean"), 1e-12);
            assertClose(var0.mul(0.9).add(biased.mul(0.1)), stock.getLayer(0).getParam("var"), 1e-12);
            assertEquals(stock.getLayer(0).getParam("gamma"), ours.getLayer(0).getParam("gamma"));
        }
    }

    @Test
    void runningStatisticsStayWithDecayOne() {
        NativeBatchNorm bn = nativeBn(CNN2DFormat.NCHW, ConvActivation.IDENTITY);
        bn.setDecay(1.0);
        MultiLayerNetwork ours = withHead(DataType.DOUBLE, new Sgd(0.1),
                InputType.convolutional(4, 5, C, CNN2DFormat.NCHW), bn);
        INDArray mean = ours.getLayer(0).getParam("mean").dup();
        INDArray var = ours.getLayer(0).getParam("var").dup();
        INDArray gamma = ours.getLayer(0).getParam("gamma").dup();
        ours.fit(new DataSet(input(CNN2DFormat.NCHW, DataType.DOUBLE, 3, C, 4, 5), Nd4j.rand(DataType.DOUBLE, 3, 2)));
        assertEquals(mean, ours.getLayer(0).getParam("mean"));
        assertEquals(var, ours.getLayer(0).getParam("var"));
        assertNotEquals(gamma, ours.getLayer(0).getParam("gamma")); // γ did train
    }

    private void gradientsEqualStock(CNN2DFormat f, ConvActivation act) {
        InputType it = InputType.convolutional(6, 5, 3, f);
        Layer[] stockLayers = act == ConvActivation.RELU
                ? new Layer[] {conv(f), stockBn(f), new ActivationLayer.Builder().activation(Activation.RELU).build()}
                : new Layer[] {conv(f), stockBn(f)};
        MultiLayerNetwork stock = net(DataType.FLOAT, new NoOp(), it, append(stockLayers));
        MultiLayerNetwork ours = net(DataType.FLOAT, new NoOp(), it, append(conv(f), nativeBn(f, act)));
        ours.setParams(stock.params().dup()); // ActivationLayer and pooling have no parameters: same flat layout
        INDArray x = input(f, DataType.FLOAT, 4, 3, 6, 5);
        INDArray y = Nd4j.rand(DataType.FLOAT, 4, 2);
        stock.setInput(x);
        stock.setLabels(y);
        stock.computeGradientAndScore();
        ours.setInput(x);
        ours.setLabels(y);
        ours.computeGradientAndScore();
        assertEquals(stock.score(), ours.score(), 1e-5);
        var sg = stock.gradient().gradientForVariable();
        var og = ours.gradient().gradientForVariable();
        for (String k : List.of("0_W", "0_b", "1_gamma", "1_beta")) {
            assertClose(sg.get(k), og.get(k), 1e-4);
        }
    }

    private static ConvolutionLayer conv(CNN2DFormat f) {
        return new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(C).activation(Activation.IDENTITY)
                .dataFormat(f).build();
    }

    private static Layer[] append(Layer... first) {
        Layer[] all = java.util.Arrays.copyOf(first, first.length + 2);
        all[first.length] = new GlobalPoolingLayer.Builder(PoolingType.AVG).build();
        all[first.length + 1] = new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                .activation(Activation.IDENTITY).build();
        return all;
    }

    @Test
    void gradientsMatchStockBatchNormalization() {
        for (CNN2DFormat f : CNN2DFormat.values()) {
            gradientsEqualStock(f, ConvActivation.IDENTITY);
            gradientsEqualStock(f, ConvActivation.RELU);
        }
    }

    private void gradientCheck(CNN2DFormat f) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        MultiLayerNetwork net = net(DataType.DOUBLE, new NoOp(), InputType.convolutional(5, 4, 3, f),
                NativeConv2D.builder().kernel(3, 3).padding(1, 1).nOut(4).format(f).build(),
                NativeBatchNorm.builder().channels(4).format(f).activation(ConvActivation.RELU).build(),
                NativeConv2D.builder().kernel(1, 1).nOut(3).format(f).build(),
                NativeBatchNorm.builder().channels(3).format(f).build(),
                new GlobalPoolingLayer.Builder(PoolingType.AVG).build(),
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                        .build());
        INDArray x = input(f, DataType.DOUBLE, 3, 3, 5, 4);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 2);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).subset(true).maxPerParam(6)
                .excludeParams(Set.of("1_mean", "1_var", "3_mean", "3_var")));
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
    void isADl4jBatchNormalizationWithTheStockParameters() {
        MultiLayerNetwork ours = net(DataType.FLOAT, new NoOp(), InputType.convolutional(4, 4, C, CNN2DFormat.NHWC),
                nativeBn(CNN2DFormat.NHWC, ConvActivation.RELU));
        assertInstanceOf(BatchNormalization.class, ours.getLayer(0).conf().getLayer());
        assertInstanceOf(org.deeplearning4j.nn.layers.normalization.BatchNormalization.class, ours.getLayer(0));
        assertEquals(List.of("gamma", "beta", "mean", "var"), List.copyOf(ours.getLayer(0).paramTable().keySet()));
        assertEquals(4 * C, ours.numParams());
        assertEquals(C, ours.getLayer(0).getParam("var").length());
        assertEquals(Nd4j.ones(DataType.FLOAT, C), ours.getLayer(0).getParam("var").reshape(C));
    }

    @Test
    void roundTripsThroughJsonAndModelSerializer(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = net(DataType.FLOAT, new Sgd(0.1), InputType.convolutional(4, 4, C, CNN2DFormat.NHWC),
                nativeBn(CNN2DFormat.NHWC, ConvActivation.RELU),
                NativeBatchNorm.builder().channels(C).format(CNN2DFormat.NHWC).eps(1e-3).decay(0.8).build());
        Nd4j.getRandom().setSeed(2);
        net.setParams(Nd4j.rand(DataType.FLOAT, 1, 8 * C).addi(0.2));
        String json = net.getLayerWiseConfigurations().toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(net.getLayerWiseConfigurations(), back);
        NativeBatchNorm second = (NativeBatchNorm) back.getConf(1).getLayer();
        assertEquals(ConvActivation.IDENTITY, second.getFusedActivation());
        assertEquals(0.8, second.getDecay());
        assertEquals(ConvActivation.RELU, ((NativeBatchNorm) back.getConf(0).getLayer()).getFusedActivation());
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file);
        INDArray x = input(CNN2DFormat.NHWC, DataType.FLOAT, 2, C, 4, 4);
        assertEquals(net.output(x, false), restored.output(x, false));
        assertEquals(net.output(x, true), restored.output(x, true));
    }

    @Test
    void equalityDistinguishesTheFusedActivationAndTheStockLayer() {
        assertEquals(nativeBn(CNN2DFormat.NCHW, ConvActivation.RELU), nativeBn(CNN2DFormat.NCHW, ConvActivation.RELU));
        assertNotEquals(nativeBn(CNN2DFormat.NCHW, ConvActivation.RELU),
                nativeBn(CNN2DFormat.NCHW, ConvActivation.IDENTITY));
        assertNotEquals(stockBn(CNN2DFormat.NCHW), nativeBn(CNN2DFormat.NCHW, ConvActivation.IDENTITY));
        assertNotEquals(nativeBn(CNN2DFormat.NCHW, ConvActivation.IDENTITY), stockBn(CNN2DFormat.NCHW));
        NativeBatchNorm copy = nativeBn(CNN2DFormat.NCHW, ConvActivation.RELU).clone();
        assertEquals(ConvActivation.RELU, copy.getFusedActivation());
    }

    @Test
    void wrongChannelCountNamesLayerAndLayout() {
        MultiLayerNetwork net = net(DataType.FLOAT, new NoOp(), InputType.convolutional(4, 4, C, CNN2DFormat.NHWC),
                NativeBatchNorm.builder().name("bn1").channels(C).format(CNN2DFormat.NHWC).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.getLayer(0).activate(Nd4j.zeros(DataType.FLOAT, 1, 4, 4, 5), false,
                        LayerWorkspaceMgr.noWorkspaces()));
        assertEquals("NativeBatchNorm 'bn1' (index 0): expected input [N, H, W, 6] (NHWC), found [1, 4, 4, 5]",
                e.getMessage());
    }

    @Test
    void trainingOnOneValuePerChannelIsRejectedAsInPyTorch() {
        MultiLayerNetwork net = net(DataType.FLOAT, new NoOp(), InputType.convolutional(1, 1, C, CNN2DFormat.NCHW),
                NativeBatchNorm.builder().name("bn").channels(C).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.output(Nd4j.ones(DataType.FLOAT, 1, C, 1, 1), true));
        assertEquals("NativeBatchNorm 'bn': training needs more than one value per channel, found input "
                + "[1, 6, 1, 1]", e.getMessage());
    }

    @Test
    void unsupportedOptionsAreRejected() {
        assertEquals("NativeBatchNorm 'null' (index -1): channels must be > 0 with nIn = nOut, found nIn 0, nOut 0",
                assertThrows(IllegalArgumentException.class, () -> NativeBatchNorm.builder().build()).getMessage());
        assertEquals("NativeBatchNorm 'b' (index -1): eps must be >= 0 and decay in [0, 1], found eps 1.0E-5, "
                + "decay 1.5", assertThrows(IllegalArgumentException.class,
                        () -> NativeBatchNorm.builder().name("b").channels(2).decay(1.5).build()).getMessage());
        NativeBatchNorm logStd = NativeBatchNorm.builder().name("b").channels(C).build();
        logStd.setUseLogStd(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net(DataType.FLOAT, new NoOp(), InputType.convolutional(4, 4, C, CNN2DFormat.NCHW), logStd));
        assertEquals("NativeBatchNorm 'b' (index 0): useLogStd = true is not supported (the running variance is "
                + "stored as variance); use DL4J's BatchNormalization for log10-std storage", e.getMessage());
        assertEquals("NativeBatchNorm 'layer0': expected convolutional input (NCHW or NHWC), found "
                + "InputTypeFeedForward(6)", assertThrows(IllegalArgumentException.class,
                        () -> net(DataType.FLOAT, new NoOp(), InputType.feedForward(C),
                                NativeBatchNorm.builder().channels(C).build())).getMessage());
    }
}
