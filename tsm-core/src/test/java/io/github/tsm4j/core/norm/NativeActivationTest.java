package io.github.tsm4j.core.norm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import org.nd4j.linalg.ops.transforms.Transforms;
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

    /** conv a, conv b, add(a, b), ReLU (in place in training or not), pool, output; trained by {@code fit}. */
    private static org.deeplearning4j.nn.graph.ComputationGraph residual(boolean inPlace,
            org.deeplearning4j.nn.conf.WorkspaceMode mode) {
        CNN2DFormat f = CNN2DFormat.NHWC;
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.FLOAT).updater(new org.nd4j.linalg.learning.config.Sgd(0.1))
                .weightInit(WeightInit.XAVIER).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(6, 5, 3, f))
                .addLayer("a", NativeConv2D.builder().kernel(3, 3).padding(1, 1).nOut(4).format(f).build(), "in")
                .addLayer("b", NativeConv2D.builder().kernel(1, 1).nOut(4).format(f).build(), "a")
                .addVertex("add", new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                        org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), "a", "b")
                .addLayer("relu", new NativeActivation(ConvActivation.RELU, inPlace), "add")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "relu")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "pool")
                .setOutputs("out").build();
        org.deeplearning4j.nn.graph.ComputationGraph g = new org.deeplearning4j.nn.graph.ComputationGraph(conf);
        g.init();
        return g;
    }

    /**
     * In place in a training step: the ReLU returns the add's array itself (one activation fewer), and training is
     * bit-identical to the layer writing a new array, with workspaces and without; outside {@code fit} (inference,
     * {@code output(true, …)}) it writes a new array and leaves its input alone.
     */
    @Test
    void inPlaceInTrainingReturnsItsInputAndTrainsIdentically() {
        for (org.deeplearning4j.nn.conf.WorkspaceMode mode : new org.deeplearning4j.nn.conf.WorkspaceMode[] {
                org.deeplearning4j.nn.conf.WorkspaceMode.ENABLED, org.deeplearning4j.nn.conf.WorkspaceMode.NONE}) {
            org.deeplearning4j.nn.graph.ComputationGraph copying = residual(false, mode);
            org.deeplearning4j.nn.graph.ComputationGraph inPlace = residual(true, mode);
            inPlace.setParams(copying.params().dup());
            java.util.List<Boolean> same = new java.util.ArrayList<>();
            inPlace.setListeners(new org.deeplearning4j.optimize.api.BaseTrainingListener() {
                @Override
                public void onForwardPass(org.deeplearning4j.nn.api.Model model,
                        java.util.Map<String, INDArray> activations) {
                    same.add(activations.get("relu") == activations.get("add"));
                }
            });
            Nd4j.getRandom().setSeed(5);
            for (int step = 0; step < 3; step++) {
                org.nd4j.linalg.dataset.DataSet b = new org.nd4j.linalg.dataset.DataSet(
                        Nd4j.randn(DataType.FLOAT, 4, 6, 5, 3), Nd4j.randn(DataType.FLOAT, 4, 2));
                copying.fit(b);
                inPlace.fit(b);
                assertEquals(copying.params(), inPlace.params(), mode + ", step " + step);
            }
            assertEquals(java.util.List.of(true, true, true), same, mode + ": the ReLU's output is the add's array");
            INDArray x = Nd4j.randn(DataType.FLOAT, 2, 6, 5, 3);
            assertEquals(copying.output(true, x)[0], inPlace.output(true, x)[0], mode + ", output(true, x)");
            assertEquals(copying.output(false, x)[0], inPlace.output(false, x)[0], mode + ", output(false, x)");
            java.util.Map<String, INDArray> ff = inPlace.feedForward(x, false);
            assertTrue(ff.get("relu") != ff.get("add"), mode + ": outside training a new array");
        }
        NativeActivation a = new NativeActivation(ConvActivation.RELU, true);
        assertTrue(a.isInPlaceInTraining());
        assertNotEquals(a, new NativeActivation(ConvActivation.RELU));
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf = residual(true,
                org.deeplearning4j.nn.conf.WorkspaceMode.ENABLED).getConfiguration();
        assertEquals(conf, org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(conf.toJson()));
        assertTrue(((NativeActivation) ((org.deeplearning4j.nn.conf.graph.LayerVertex) org.deeplearning4j.nn.conf
                .ComputationGraphConfiguration.fromJson(conf.toJson()).getVertices().get("relu")).getLayerConf()
                .getLayer()).isInPlaceInTraining(), "the flag survives JSON");
    }

    /**
     * The oneDNN backward pass gives libnd4j's gradients exactly — outputs at the kinks (0, and 6 for ReLU6) included —
     * for NHWC activations and feed-forward rows; double arrays keep libnd4j's path; the flag survives JSON.
     */
    @Test
    void oneDnnBackwardEqualsLibnd4jsExactly() {
        for (ConvActivation a : new ConvActivation[] {ConvActivation.RELU, ConvActivation.RELU6}) {
            for (long[] shape : new long[][] {{3, 5, 4, 7}, {6, 11}}) {
                Nd4j.getRandom().setSeed(8);
                INDArray x = Nd4j.randn(DataType.FLOAT, shape).muli(5);
                x.putScalar(0, 0f);
                x.putScalar(1, 6f);
                x.putScalar(2, -0f);
                INDArray eps = Nd4j.randn(DataType.FLOAT, shape);
                INDArray[] grads = new INDArray[2];
                for (int k = 0; k < 2; k++) {
                    NativeActivation conf = new NativeActivation(a).oneDnn(k == 1);
                    NativeActivationLayer layer = instantiate(conf, DataType.FLOAT);
                    var mgr = org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();
                    layer.setInput(x, mgr);
                    layer.activate(true, mgr);
                    grads[k] = layer.backpropGradient(eps, mgr).getSecond();
                    assertEquals(k == 1, layer.lastBackwardOneDnn(), a + " " + java.util.Arrays.toString(shape));
                }
                assertEquals(grads[0], grads[1], a + " " + java.util.Arrays.toString(shape));
                assertNotEquals(0.0, grads[1].amaxNumber().doubleValue());
            }
        }
        NativeActivationLayer d = instantiate(new NativeActivation(ConvActivation.RELU).oneDnn(true), DataType.DOUBLE);
        var mgr = org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();
        d.setInput(Nd4j.randn(DataType.DOUBLE, 2, 3), mgr);
        d.activate(true, mgr);
        d.backpropGradient(Nd4j.randn(DataType.DOUBLE, 2, 3), mgr);
        assertEquals(false, d.lastBackwardOneDnn(), "double arrays take libnd4j's path");
        NativeActivation back = (NativeActivation) NeuralNetConfiguration.fromJson(new NeuralNetConfiguration.Builder()
                .layer(new NativeActivation(ConvActivation.RELU6).oneDnn(true)).build().toJson()).getLayer();
        assertTrue(back.isOneDnn());
        assertEquals(new NativeActivation(ConvActivation.RELU6).oneDnn(true), back);
    }

    /**
     * In place in training on oneDNN (no workspaces: the in-place condition of a step without them): a rectified
     * mark makes the forward pass return its input untouched (so a mark on unrectified values would show); the
     * backward pass writes libnd4j's exact gradient over the output and returns that array, which the layer
     * recognises as its own; a mark on another array, or a ReLU6, is refused or ignored.
     */
    @Test
    void inPlaceStepTakesARectifiedMarkAndWritesItsGradientOverItsOutput() {
        var mgr = org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 3, 4);
        INDArray eps = Nd4j.randn(DataType.FLOAT, 2, 3, 3, 4);
        NativeActivationLayer layer = instantiate(new NativeActivation(ConvActivation.RELU, true).oneDnn(true),
                DataType.FLOAT);
        assertTrue(layer.fusesResidualRelu(mgr));

        INDArray marked = x.dup();
        layer.markInputRectified(marked);
        layer.setInput(marked, mgr);
        assertSame(marked, layer.activate(true, mgr));
        assertTrue(layer.lastForwardFused());
        assertEquals(x, marked, "a marked input is returned untouched (negative values and all)");

        INDArray in = x.dup();
        layer.markInputRectified(x); // another array: the mark does not apply
        layer.setInput(in, mgr);
        assertSame(in, layer.activate(true, mgr));
        assertFalse(layer.lastForwardFused());
        assertEquals(Transforms.relu(x, true), in, "rectified in place");
        INDArray expected = eps.mul(Transforms.relu(x, true).gt(0).castTo(DataType.FLOAT));
        INDArray g = layer.backpropGradient(eps, mgr).getSecond();
        assertSame(in, g, "the gradient is written over the output (no workspace: the array itself)");
        assertEquals(expected, g);
        assertTrue(layer.ownsInPlaceGradient(g));
        assertFalse(layer.ownsInPlaceGradient(eps));
        assertFalse(layer.ownsInPlaceGradient(null));

        NativeActivationLayer copying = instantiate(new NativeActivation(ConvActivation.RELU).oneDnn(true),
                DataType.FLOAT);
        assertFalse(copying.fusesResidualRelu(mgr), "not in place in training");
        copying.setInput(x.dup(), mgr);
        copying.activate(true, mgr);
        assertFalse(copying.ownsInPlaceGradient(copying.backpropGradient(eps, mgr).getSecond()));

        NativeActivationLayer relu6 = instantiate(new NativeActivation(ConvActivation.RELU6, true).oneDnn(true),
                DataType.FLOAT);
        assertFalse(relu6.fusesResidualRelu(mgr));
        assertEquals("NativeActivation 'null': only a ReLU takes a rectified input, this layer is RELU6",
                assertThrows(IllegalStateException.class, () -> relu6.markInputRectified(x)).getMessage());
    }

    private static NativeActivationLayer instantiate(NativeActivation conf, DataType type) {
        NeuralNetConfiguration nn = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
        return (NativeActivationLayer) conf.instantiate(nn, null, 0, null, false, type);
    }
}
