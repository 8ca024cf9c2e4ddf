package io.github.tsm4j.core.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BoundConvTest {

    private static MultiLayerNetwork net(InputType inputType, Layer layer) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).list().layer(layer).setInputType(inputType).build());
        net.init();
        return net;
    }

    private static void boundEqualsActivate(CNN2DFormat f, AbstractNativeConv conv, int channels) {
        boundEqualsActivate(f, conv, channels, 0);
    }

    /** gemmMaxMacs 0: the conv2d op, compared exactly; otherwise the matrix-product form, up to float rounding. */
    private static void boundEqualsActivate(CNN2DFormat f, AbstractNativeConv conv, int channels, long gemmMaxMacs) {
        MultiLayerNetwork net = net(InputType.convolutional(9, 10, channels, f), conv);
        Nd4j.getRandom().setSeed(2);
        if (net.getLayer(0).getParam("b") != null) {
            net.getLayer(0).setParam("b", Nd4j.randn(DataType.FLOAT, net.getLayer(0).getParam("b").shape()));
        }
        INDArray x = f == CNN2DFormat.NHWC ? Nd4j.randn(DataType.FLOAT, 2, 9, 10, channels)
                : Nd4j.randn(DataType.FLOAT, 2, channels, 9, 10);
        INDArray expected = net.output(x);
        INDArray in = x.ulike();
        INDArray out = Nd4j.create(DataType.FLOAT, BoundConv.outputShape(net.getLayer(0), x.shape()));
        assertArrayEquals(expected.shape(), out.shape());
        try (BoundConv bound = BoundConv.of(net.getLayer(0), in, out, gemmMaxMacs)) {
            for (int frame = 0; frame < 2; frame++) {
                in.assign(frame == 0 ? x : x.neg());
                bound.run();
                INDArray want = frame == 0 ? expected : net.output(x.neg());
                if (gemmMaxMacs == 0) {
                    assertEquals(want, out, "frame " + frame + " " + f);
                } else {
                    double diff = want.sub(out).amaxNumber().doubleValue();
                    assertTrue(diff <= 1e-5 * want.amaxNumber().doubleValue(), "frame " + frame + " " + f
                            + ": max |matmul form − conv2d| = " + diff);
                    assertTrue(want.amaxNumber().doubleValue() > 0.1, "a non-trivial output");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void boundConv2dEqualsTheLayersForwardPassExactly(CNN2DFormat f) {
        boundEqualsActivate(f, NativeConv2D.builder().kernel(3, 3).stride(2, 2).padding(1, 1).nOut(7).format(f)
                .hasBias(true).convActivation(ConvActivation.RELU6).build(), 4);
        boundEqualsActivate(f, NativeConv2D.builder().kernel(1, 1).nOut(6).format(f).hasBias(true)
                .convActivation(ConvActivation.RELU).build(), 4);
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void oneDnnConvolutionsRunTheirOwnPrimitiveBoundOnceAndMatchLibnd4j(CNN2DFormat f) {
        // the layer's activate and the bound form run the same oneDNN inference primitive: equal exactly;
        // the input is rewritten between frames, so the handles bound once must stay live
        boundEqualsActivate(f, NativeConv2D.builder().kernel(3, 3).stride(2, 2).padding(1, 1).nOut(7).format(f)
                .hasBias(true).convActivation(ConvActivation.RELU6).oneDnn(true).build(), 4, 0);
        boundEqualsActivate(f, NativeConv2D.builder().kernel(1, 1).nOut(6).format(f).hasBias(true)
                .convActivation(ConvActivation.RELU).oneDnn(true).build(), 4, 0);
        MultiLayerNetwork lib = net(InputType.convolutional(9, 10, 5, f), NativeConv2D.builder().kernel(3, 3)
                .padding(1, 1).nOut(8).format(f).hasBias(true).build());
        MultiLayerNetwork direct = net(InputType.convolutional(9, 10, 5, f), NativeConv2D.builder().kernel(3, 3)
                .padding(1, 1).nOut(8).format(f).hasBias(true).oneDnn(true).build());
        direct.setParams(lib.params().dup());
        direct.getLayer(0).setParam("b", Nd4j.randn(DataType.FLOAT, 1, 8));
        lib.getLayer(0).setParam("b", direct.getLayer(0).getParam("b"));
        INDArray x = f == CNN2DFormat.NHWC ? Nd4j.randn(DataType.FLOAT, 2, 9, 10, 5)
                : Nd4j.randn(DataType.FLOAT, 2, 5, 9, 10);
        INDArray out = Nd4j.create(DataType.FLOAT, BoundConv.outputShape(direct.getLayer(0), x.shape()));
        try (BoundConv bound = BoundConv.of(direct.getLayer(0), x, out)) {
            bound.run();
            INDArray want = lib.output(x);
            double diff = want.sub(out).amaxNumber().doubleValue();
            assertTrue(diff <= 2e-5 * want.amaxNumber().doubleValue(), f + ": max |oneDNN − libnd4j| = " + diff);
            direct.getLayer(0).getParam("W").muli(2); // parameters stay bound by reference
            lib.getLayer(0).getParam("W").muli(2);
            bound.run();
            want = lib.output(x);
            diff = want.sub(out).amaxNumber().doubleValue();
            assertTrue(diff <= 2e-5 * want.amaxNumber().doubleValue(), f + " after W changed: " + diff);
        }
    }

    /**
     * {@link WeightBinding#CAPTURED}: the oneDNN convolution reorders its weights once, when bound, into memory of
     * its own; it computes exactly what the by-reference form and the layer compute, and a later change of the
     * layer's weights in place is not seen (while the by-reference form sees it). NHWC, where oneDNN's kernels want
     * blocked weights.
     */
    @Test
    void capturedWeightsAreReadOnceWhenBound() {
        for (NativeConv2D conf : new NativeConv2D[] {
            NativeConv2D.builder().kernel(3, 3).padding(1, 1).nOut(8).format(CNN2DFormat.NHWC).hasBias(true)
                    .convActivation(ConvActivation.RELU).oneDnn(true).build(),
            NativeConv2D.builder().kernel(1, 1).nOut(32).format(CNN2DFormat.NHWC).hasBias(true).oneDnn(true).build()}) {
            int channels = conf.getNOut() == 8 ? 5 : 16;
            MultiLayerNetwork net = net(InputType.convolutional(9, 10, channels, CNN2DFormat.NHWC), conf);
            Nd4j.getRandom().setSeed(3);
            net.getLayer(0).setParam("b", Nd4j.randn(DataType.FLOAT, net.getLayer(0).getParam("b").shape()));
            INDArray x = Nd4j.randn(DataType.FLOAT, 2, 9, 10, channels);
            INDArray before = net.output(x);
            INDArray captured = Nd4j.create(DataType.FLOAT, before.shape());
            INDArray byReference = Nd4j.create(DataType.FLOAT, before.shape());
            try (BoundConv c = BoundConv.of(net.getLayer(0), x, captured, WeightBinding.CAPTURED);
                    BoundConv r = BoundConv.of(net.getLayer(0), x, byReference, WeightBinding.BY_REFERENCE)) {
                c.run();
                r.run();
                assertEquals(before, captured, "captured = the layer's output, " + conf.getLayerName());
                assertEquals(before, byReference);
                net.getLayer(0).getParam("W").muli(-2);
                INDArray after = net.output(x);
                assertTrue(after.sub(before).amaxNumber().doubleValue() > 0.1, "the change matters");
                c.run();
                r.run();
                assertEquals(before, captured, "the captured weights are those of bind time");
                assertEquals(after, byReference, "by reference: the changed weights");
            }
        }
        assertThrows(NullPointerException.class, () -> BoundConv.of(net(InputType.convolutional(9, 10, 5,
                CNN2DFormat.NHWC), NativeConv2D.builder().kernel(1, 1).nOut(3).format(CNN2DFormat.NHWC).build())
                .getLayer(0), Nd4j.create(DataType.FLOAT, 1, 9, 10, 5), Nd4j.create(DataType.FLOAT, 1, 9, 10, 3),
                (WeightBinding) null));
    }

    @Test
    void smallOneByOneNhwcConvolutionsRunAsAMatrixProductWithTheSameResult() {
        for (ConvActivation act : ConvActivation.values()) {
            for (boolean bias : new boolean[] {true, false}) {
                boundEqualsActivate(CNN2DFormat.NHWC, NativeConv2D.builder().kernel(1, 1).nOut(6)
                        .format(CNN2DFormat.NHWC).hasBias(bias).convActivation(act).build(), 4, BoundConv.GEMM_MAX_MACS);
            }
        }
        // 2 · 9 · 10 pixels · 4 · 6 channels = 4,320 multiply-adds: below the default limit, above a limit of 4,319
        assertTrue(2 * 9 * 10 * 4 * 6 <= BoundConv.GEMM_MAX_MACS);
        boundEqualsActivate(CNN2DFormat.NHWC, NativeConv2D.builder().kernel(1, 1).nOut(6).format(CNN2DFormat.NHWC)
                .hasBias(true).convActivation(ConvActivation.RELU6).build(), 4, 4_319);
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void boundDepthwiseEqualsTheLayersForwardPassExactly(CNN2DFormat f) {
        boundEqualsActivate(f, NativeDepthwiseConv2D.builder().kernel(3, 3).stride(1, 1).padding(1, 1).format(f)
                .hasBias(true).convActivation(ConvActivation.IDENTITY).build(), 5);
    }

    @Test
    void rejectsOtherLayersAndWrongShapes() {
        MultiLayerNetwork act = net(InputType.feedForward(3), new ActivationLayer(Activation.RELU));
        assertEquals("BoundConv: layer 'layer0' (ActivationLayer) is not a native convolution (NativeConv2D / "
                + "NativeDepthwiseConv2D)", assertThrows(IllegalArgumentException.class,
                        () -> BoundConv.outputShape(act.getLayer(0), new long[] {1, 3})).getMessage());
        MultiLayerNetwork conv = net(InputType.convolutional(8, 8, 4), NativeConv2D.builder().kernel(1, 1).nOut(2)
                .name("c").build());
        assertEquals("NativeConv2D 'c': expected input [N, 4, H, W] (NCHW), found [1, 3, 8, 8]",
                assertThrows(IllegalArgumentException.class,
                        () -> BoundConv.outputShape(conv.getLayer(0), new long[] {1, 3, 8, 8})).getMessage());
        assertEquals("NativeConv2D 'c': output shape [1, 2, 4, 4] differs from the expected [1, 2, 8, 8]",
                assertThrows(IllegalArgumentException.class, () -> BoundConv.of(conv.getLayer(0),
                        Nd4j.zeros(DataType.FLOAT, 1, 4, 8, 8), Nd4j.zeros(DataType.FLOAT, 1, 2, 4, 4)))
                        .getMessage());
    }
}
