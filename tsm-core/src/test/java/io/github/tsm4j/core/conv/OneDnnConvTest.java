package io.github.tsm4j.core.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.RestoreNd4jGlobals;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link OneDnnConv} (oneDNN's own primitives) against libnd4j's {@code conv2d}/{@code conv2d_bp}, the path
 * {@link ConvImplementation#NATIVE} runs: forward, input, weight and bias gradients on odd shapes, both layouts,
 * strides, paddings, 1×1 to 7×7 kernels, and a batch size that changes between calls.
 */
@ExtendWith(RestoreNd4jGlobals.class)
class OneDnnConvTest {

    /** float32 sums in a different order: relative to the largest magnitude of the reference. */
    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 2e-5 * scale, what + ": max |difference| " + diff + " > 2e-5 x " + scale);
    }

    @ParameterizedTest(name = "{0} k{1} s{2} p{3} {4}->{5} {6}x{7} bias {8}")
    @CsvSource({
        "NHWC, 3, 1, 1, 6, 10, 9, 7, true",
        "NCHW, 3, 2, 1, 6, 10, 9, 7, true",
        "NHWC, 1, 1, 0, 16, 5, 5, 6, false",
        "NHWC, 1, 2, 0, 8, 12, 7, 7, false",
        "NCHW, 7, 2, 3, 3, 8, 15, 13, false",
        "NHWC, 5, 1, 2, 4, 4, 6, 6, true",
        "NHWC, 3, 1, 0, 1, 1, 3, 3, false"})
    void forwardAndGradientsMatchLibnd4j(CNN2DFormat f, int k, int s, int p, int cin, int cout, int h, int w,
            boolean bias) {
        Nd4j.getRandom().setSeed(5);
        int[] kernel = {k, k};
        int[] stride = {s, s};
        int[] pad = {p, p};
        OneDnnConv direct = new OneDnnConv(kernel, stride, pad, f, cin, cout, bias);
        int[] iArgs = ConvOps.intArgs(kernel, stride, pad, f, ConvOps.WEIGHT_FORMAT_OIHW);
        INDArray wt = Nd4j.randn(DataType.FLOAT, cout, cin, k, k);
        INDArray b = bias ? Nd4j.randn(DataType.FLOAT, 1, cout) : null;
        long oh = ConvOps.outSize(h, k, s, p);
        long ow = ConvOps.outSize(w, k, s, p);
        for (int n : new int[] {3, 2, 3}) { // a new plan, another, then the first one again
            INDArray x = f == CNN2DFormat.NHWC ? Nd4j.randn(DataType.FLOAT, n, h, w, cin)
                    : Nd4j.randn(DataType.FLOAT, n, cin, h, w);
            long[] outShape = f == CNN2DFormat.NHWC ? new long[] {n, oh, ow, cout} : new long[] {n, cout, oh, ow};
            INDArray expected = Nd4j.create(DataType.FLOAT, outShape);
            ConvOps.forward("conv2d", x, wt, b, expected, iArgs);
            for (boolean training : new boolean[] {true, false}) {
                INDArray actual = Nd4j.create(DataType.FLOAT, outShape).assign(Double.NaN);
                direct.forward(x, wt, b, actual, training);
                assertClose(expected, actual, "forward n=" + n + " training=" + training);
            }
            INDArray gradOut = Nd4j.randn(DataType.FLOAT, outShape);
            INDArray gxRef = Nd4j.create(DataType.FLOAT, x.shape());
            INDArray gwRef = Nd4j.create(DataType.FLOAT, wt.shape());
            INDArray gbRef = bias ? Nd4j.create(DataType.FLOAT, 1, cout) : null;
            ConvOps.backward("conv2d", x, wt, b, gradOut, gxRef, gwRef, gbRef, iArgs);
            INDArray gx = Nd4j.create(DataType.FLOAT, x.shape()).assign(Double.NaN);
            INDArray gw = Nd4j.create(DataType.FLOAT, wt.shape()).assign(Double.NaN);
            INDArray gb = bias ? Nd4j.create(DataType.FLOAT, 1, cout).assign(Double.NaN) : null;
            direct.backward(x, wt, gradOut, gx, gw, gb);
            assertClose(gxRef, gx, "input gradient n=" + n);
            assertClose(gwRef, gw, "weight gradient n=" + n);
            if (bias) {
                assertClose(gbRef, gb, "bias gradient n=" + n);
            }
        }
    }

    @Test
    void writesThroughViewsAtAnOffset() {
        // parameter gradients are views into the network's flat gradient: the handle must include the offset
        Nd4j.getRandom().setSeed(9);
        OneDnnConv direct = new OneDnnConv(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, CNN2DFormat.NHWC,
                4, 5, true);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 6, 6, 4);
        INDArray flat = Nd4j.zeros(DataType.FLOAT, 1, 7 + 5 * 4 * 9 + 5);
        INDArray gw = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(7, 7 + 180)).reshape('c', 5, 4, 3, 3);
        INDArray gb = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(187, 192)).reshape('c', 1, 5);
        assertTrue(OneDnn.suits(gw, gb));
        INDArray wt = Nd4j.randn(DataType.FLOAT, 5, 4, 3, 3);
        INDArray gradOut = Nd4j.randn(DataType.FLOAT, 2, 6, 6, 5);
        direct.backward(x, wt, gradOut, Nd4j.create(DataType.FLOAT, x.shape()), gw, gb);
        INDArray gwRef = Nd4j.create(DataType.FLOAT, 5, 4, 3, 3);
        INDArray gbRef = Nd4j.create(DataType.FLOAT, 1, 5);
        int[] iArgs = ConvOps.intArgs(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, CNN2DFormat.NHWC,
                ConvOps.WEIGHT_FORMAT_OIHW);
        ConvOps.backward("conv2d", x, wt, null, gradOut, Nd4j.create(DataType.FLOAT, x.shape()), gwRef, null, iArgs);
        gbRef.assign(gradOut.sum(0, 1, 2).reshape(1, 5));
        assertClose(gwRef, gw, "weight gradient view");
        assertClose(gbRef, gb, "bias gradient view");
        assertEquals(0.0, flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 7)).amaxNumber().doubleValue(),
                "untouched before the view");
    }

    @Test
    void onlyDenseFloatArraysTakeThisPath() {
        assertTrue(OneDnn.suits(Nd4j.create(DataType.FLOAT, 2, 3, 4, 5), null));
        assertFalse(OneDnn.suits(Nd4j.create(DataType.DOUBLE, 2, 3, 4, 5)));
        assertFalse(OneDnn.suits(Nd4j.create(DataType.FLOAT, 2, 3, 4, 5).permute(0, 2, 3, 1)));
        assertFalse(OneDnn.suits(Nd4j.create(DataType.FLOAT, 4, 6).get(NDArrayIndex.all(),
                NDArrayIndex.interval(0, 3))));
        assertTrue(OneDnn.available());
    }

    private static MultiLayerNetwork net(boolean oneDnn) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Truncate).list()
                .layer(NativeConv2D.builder().kernel(3, 3).stride(2, 2).padding(1, 1).nOut(8)
                        .format(CNN2DFormat.NHWC).hasBias(true).convActivation(ConvActivation.RELU).oneDnn(oneDnn)
                        .build())
                .layer(NativeConv2D.builder().kernel(1, 1).nOut(6).format(CNN2DFormat.NHWC)
                        .convActivation(ConvActivation.RELU).oneDnn(oneDnn).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(9, 9, 3, CNN2DFormat.NHWC)).build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    @Test
    void trainingThroughTheLayerMatchesLibnd4jAndTheFlagSurvivesJson() {
        MultiLayerNetwork lib = net(false);
        MultiLayerNetwork direct = net(true);
        direct.setParams(lib.params().dup());
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 9, 9, 3);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 5, 4);
        for (int i = 0; i < 5; i++) {
            y.putScalar(i, i % 4, 1);
        }
        for (int step = 0; step < 3; step++) {
            lib.fit(x, y);
            direct.fit(x, y);
        }
        assertNotEquals(net(false).params(), lib.params(), "training moved the parameters");
        assertClose(lib.params(), direct.params(), "parameters after 3 SGD steps");
        assertClose(lib.output(x), direct.output(x), "inference output");
        String json = direct.getLayerWiseConfigurations().toJson();
        assertTrue(((NativeConv2D) MultiLayerConfiguration.fromJson(json).getConf(0).getLayer()).isOneDnn());
        assertFalse(((NativeConv2D) MultiLayerConfiguration.fromJson(lib.getLayerWiseConfigurations().toJson())
                .getConf(0).getLayer()).isOneDnn());
        assertEquals(direct.getLayerWiseConfigurations(), MultiLayerConfiguration.fromJson(json));
    }

    /**
     * A data-input layer (the stem) returns no input gradient but the same parameter gradients, on oneDNN's path
     * (which then skips the backward-data primitive) and on libnd4j's; the flag survives JSON.
     */
    @Test
    void aDataInputLayerComputesNoInputGradientAndTheSameParameterGradients() {
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 7, 7, 3);
        INDArray eps = Nd4j.rand(DataType.FLOAT, 3, 4, 4, 5).subi(0.5);
        INDArray[] reference = null;
        for (boolean oneDnn : new boolean[] {true, false}) {
            for (boolean data : new boolean[] {false, true}) {
                NativeConv2D conf = NativeConv2D.builder().kernel(3, 3).stride(2, 2).padding(1, 1).nIn(3).nOut(5)
                        .format(CNN2DFormat.NHWC).hasBias(true).oneDnn(oneDnn).dataInput(data).build();
                org.deeplearning4j.nn.api.Layer layer = instantiate(conf);
                layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
                layer.activate(true, LayerWorkspaceMgr.noWorkspaces());
                var result = layer.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces());
                INDArray gw = result.getFirst().getGradientFor(NativeConvParamInitializer.WEIGHT_KEY).dup();
                INDArray gb = result.getFirst().getGradientFor(NativeConvParamInitializer.BIAS_KEY).dup();
                String what = (oneDnn ? "oneDNN" : "libnd4j") + (data ? ", data input" : "");
                if (data) {
                    assertNull(result.getSecond(), what);
                } else {
                    assertEquals(x.shape().length, result.getSecond().rank(), what);
                }
                if (reference == null) {
                    reference = new INDArray[] {gw, gb};
                } else {
                    assertClose(reference[0], gw, "weight gradient, " + what);
                    assertClose(reference[1], gb, "bias gradient, " + what);
                }
                NativeConv2D back = (NativeConv2D) NeuralNetConfiguration.fromJson(
                        new NeuralNetConfiguration.Builder().layer(conf).build().toJson()).getLayer();
                assertEquals(data, back.isDataInput(), what);
            }
        }
    }

    private static org.deeplearning4j.nn.api.Layer instantiate(NativeConv2D conf) {
        NeuralNetConfiguration nn = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).seed(5)
                .weightInit(WeightInit.XAVIER).layer(conf).build();
        long n = conf.initializer().numParams(nn);
        INDArray params = Nd4j.create(DataType.FLOAT, 1, n);
        org.deeplearning4j.nn.api.Layer layer = conf.instantiate(nn, null, 0, params, true, DataType.FLOAT);
        layer.setBackpropGradientsViewArray(Nd4j.create(DataType.FLOAT, 1, n));
        return layer;
    }
}
