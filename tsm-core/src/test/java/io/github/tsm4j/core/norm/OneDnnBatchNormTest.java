package io.github.tsm4j.core.norm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.RestoreNd4jGlobals;
import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.NativeConv2D;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link NativeBatchNorm} through oneDNN's primitives ({@link BatchNormImplementation#ONEDNN}) against its libnd4j
 * path: gradients of every parameter (γ, β, the convolutions around it), the running estimates, parameters after
 * training steps and inference outputs, with a fused ReLU and without, in both layouts.
 */
@ExtendWith(RestoreNd4jGlobals.class)
class OneDnnBatchNormTest {

    private static MultiLayerNetwork net(CNN2DFormat f, boolean oneDnn, DataType type) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(type)
                .updater(new Sgd(0.2)).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Truncate).list()
                .layer(NativeConv2D.builder().kernel(3, 3).padding(1, 1).nOut(6).format(f).build())
                .layer(NativeBatchNorm.builder().channels(6).format(f).activation(ConvActivation.RELU).oneDnn(oneDnn)
                        .build())
                .layer(NativeConv2D.builder().kernel(1, 1).nOut(5).format(f).build())
                .layer(NativeBatchNorm.builder().channels(5).format(f).oneDnn(oneDnn).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(7, 5, 4, f)).build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    private static void assertClose(INDArray expected, INDArray actual, double relTol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        // sums in another order: relative to the values' magnitude, with a floor of 1e-2 for (near-)cancelling sums
        double scale = Math.max(1e-2, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= relTol * scale, what + ": max |difference| " + diff + " > " + relTol + " x " + scale);
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void gradientsRunningEstimatesAndTrainingMatchTheLibnd4jPath(CNN2DFormat f) {
        MultiLayerNetwork lib = net(f, false, DataType.FLOAT);
        MultiLayerNetwork direct = net(f, true, DataType.FLOAT);
        INDArray start = lib.params().dup();
        direct.setParams(start.dup());
        Nd4j.getRandom().setSeed(4);
        INDArray x = f == CNN2DFormat.NHWC ? Nd4j.randn(DataType.FLOAT, 6, 7, 5, 4) : Nd4j.randn(DataType.FLOAT, 6, 4, 7, 5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
        for (int i = 0; i < 6; i++) {
            y.putScalar(i, i % 3, 1);
        }
        lib.setInput(x);
        lib.setLabels(y);
        direct.setInput(x);
        direct.setLabels(y);
        lib.computeGradientAndScore();
        direct.computeGradientAndScore();
        assertTrue(((NativeBatchNormLayer) direct.getLayer(1)).lastForwardOneDnn(), "fused-ReLU layer on oneDNN");
        assertTrue(((NativeBatchNormLayer) direct.getLayer(3)).lastForwardOneDnn(), "plain layer on oneDNN");
        assertFalse(((NativeBatchNormLayer) lib.getLayer(1)).lastForwardOneDnn(), "reference on libnd4j");
        assertEquals(lib.score(), direct.score(), 1e-5 * Math.abs(lib.score()), "loss");
        INDArray gLib = lib.gradient().gradient();
        INDArray gDirect = direct.gradient().gradient();
        for (String key : lib.gradient().gradientForVariable().keySet()) {
            assertClose(lib.gradient().getGradientFor(key), direct.gradient().getGradientFor(key), 1e-4,
                    "gradient " + key);
        }
        assertClose(gLib, gDirect, 1e-4, "flat gradient");
        for (int step = 0; step < 3; step++) {
            lib.fit(x, y);
            direct.fit(x, y);
        }
        assertNotEquals(start, lib.params(), "training moved the parameters");
        assertClose(lib.getLayer(1).getParam("mean"), direct.getLayer(1).getParam("mean"), 1e-4, "running mean");
        assertClose(lib.getLayer(1).getParam("var"), direct.getLayer(1).getParam("var"), 1e-4, "running variance");
        assertNotEquals(0.0, direct.getLayer(1).getParam("var").sumNumber().doubleValue() - 6, 1e-6,
                "the running variance moved from its start");
        assertClose(lib.params(), direct.params(), 1e-4, "parameters after 3 SGD steps");
        assertClose(lib.output(x, false), direct.output(x, false), 1e-4, "inference output");
        assertClose(lib.output(x, true), direct.output(x, true), 1e-4, "training-mode output");
    }

    private static MultiLayerNetwork oneDnnNet() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Truncate).list()
                .layer(NativeConv2D.builder().kernel(3, 3).padding(1, 1).nOut(16).format(CNN2DFormat.NHWC)
                        .oneDnn(true).build())
                .layer(NativeBatchNorm.builder().channels(16).format(CNN2DFormat.NHWC)
                        .activation(ConvActivation.RELU).oneDnn(true).build())
                .layer(NativeConv2D.builder().kernel(3, 3).stride(2, 2).padding(1, 1).nOut(32)
                        .format(CNN2DFormat.NHWC).oneDnn(true).build())
                .layer(NativeBatchNorm.builder().channels(32).format(CNN2DFormat.NHWC).oneDnn(true).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(20, 20, 4, CNN2DFormat.NHWC)).build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    @Test
    void networksTrainingOnTwoThreadsAtOnceGiveTheSequentialResult() throws Exception {
        // every primitive takes its temporaries from its thread's scratchpad, never from a process-wide one
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.randn(DataType.FLOAT, 12, 20, 20, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 12, 3);
        for (int i = 0; i < 12; i++) {
            y.putScalar(i, i % 3, 1);
        }
        MultiLayerNetwork alone = oneDnnNet();
        for (int step = 0; step < 4; step++) {
            alone.fit(x, y);
        }
        MultiLayerNetwork[] nets = {oneDnnNet(), oneDnnNet()};
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            for (MultiLayerNetwork n : nets) {
                runs.add(pool.submit(() -> {
                    start.await();
                    for (int step = 0; step < 4; step++) {
                        n.fit(x, y);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> r : runs) {
                r.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertNotEquals(oneDnnNet().params(), alone.params(), "training moved the parameters");
        assertEquals(alone.params(), nets[0].params(), "first thread");
        assertEquals(alone.params(), nets[1].params(), "second thread");
    }

    @Test
    void doubleNetworksTakeTheLibnd4jPathAndTheFlagSurvivesJson() {
        MultiLayerNetwork d = net(CNN2DFormat.NHWC, true, DataType.DOUBLE);
        MultiLayerNetwork ref = net(CNN2DFormat.NHWC, false, DataType.DOUBLE);
        ref.setParams(d.params().dup());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 7, 5, 4);
        assertEquals(ref.output(x, true), d.output(x, true), "double: bit for bit the same path");
        d.fit(x, Nd4j.zeros(DataType.DOUBLE, 3, 3).putScalar(0, 1, 1.0));
        assertFalse(((NativeBatchNormLayer) d.getLayer(1)).lastForwardOneDnn());
        String json = d.getLayerWiseConfigurations().toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(d.getLayerWiseConfigurations(), back);
        assertTrue(((NativeBatchNorm) back.getConf(1).getLayer()).isOneDnn());
        assertFalse(((NativeBatchNorm) MultiLayerConfiguration.fromJson(ref.getLayerWiseConfigurations().toJson())
                .getConf(1).getLayer()).isOneDnn());
    }
}
