package io.github.tsm4j.models.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.conv.NativeConv2D;
import io.github.tsm4j.core.conv.NativeDepthwiseConv2D;
import io.github.tsm4j.core.norm.NativeBatchNorm;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class InferenceGraphsTest {

    /** A residual block with a depthwise conv: conv-bn-relu, dw-bn-relu6, conv-bn, + (1x1 conv-bn shortcut). */
    private static ComputationGraph smallNet(CNN2DFormat f, boolean logStd) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder().addInputs("in");
        g.addLayer("c1", new ConvolutionLayer.Builder(3, 3).padding(1, 1).stride(2, 2).nOut(8).hasBias(false)
                .activation(Activation.IDENTITY).dataFormat(f).build(), "in");
        g.addLayer("bn1", bn(f, logStd), "c1");
        g.addLayer("r1", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn1");
        g.addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).padding(1, 1).depthMultiplier(1).nOut(8)
                .hasBias(false).activation(Activation.IDENTITY).dataFormat(f).build(), "r1");
        g.addLayer("bn2", bn(f, logStd), "dw");
        g.addLayer("r2", new ActivationLayer.Builder().activation(Activation.RELU6).build(), "bn2");
        g.addLayer("c3", new ConvolutionLayer.Builder(1, 1).nOut(6).hasBias(true).activation(Activation.IDENTITY)
                .dataFormat(f).build(), "r2");
        g.addLayer("bn3", bn(f, logStd), "c3");
        g.addLayer("sc", new ConvolutionLayer.Builder(1, 1).stride(2, 2).nOut(6).hasBias(false)
                .activation(Activation.IDENTITY).dataFormat(f).build(), "in");
        g.addLayer("bnsc", bn(f, logStd), "sc");
        g.addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn3", "bnsc");
        g.addLayer("r3", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add");
        GlobalPoolingLayer.Builder pool = new GlobalPoolingLayer.Builder(PoolingType.AVG)
                .poolingDimensions(f == CNN2DFormat.NHWC ? new int[] {1, 2} : new int[] {2, 3});
        g.addLayer("pool", pool.build(), "r3");
        g.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                .activation(Activation.SOFTMAX).build(), "pool");
        g.setOutputs("out").setInputTypes(InputType.convolutional(12, 10, 3, f));
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        // non-trivial statistics, as after training
        Nd4j.getRandom().setSeed(5);
        for (String name : new String[] {"bn1", "bn2", "bn3", "bnsc"}) {
            org.deeplearning4j.nn.api.Layer l = net.getLayer(name);
            long c = l.getParam("gamma").length();
            l.setParam("gamma", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.5));
            l.setParam("beta", Nd4j.randn(DataType.FLOAT, 1, c));
            l.setParam("mean", Nd4j.randn(DataType.FLOAT, 1, c));
            INDArray var = Nd4j.rand(DataType.FLOAT, 1, c).addi(0.2);
            if (logStd) {
                l.setParam("log10stdev", org.nd4j.linalg.ops.transforms.Transforms.log(
                        org.nd4j.linalg.ops.transforms.Transforms.sqrt(var.add(1e-5)), 10));
            } else {
                l.setParam("var", var);
            }
        }
        return net;
    }

    private static BatchNormalization bn(CNN2DFormat f, boolean logStd) {
        return new BatchNormalization.Builder().eps(1e-5).useLogStd(logStd).dataFormat(f).build();
    }

    private void foldedEqualsOriginal(CNN2DFormat f, boolean logStd) {
        ComputationGraph net = smallNet(f, logStd);
        Nd4j.getRandom().setSeed(9);
        INDArray x = f == CNN2DFormat.NHWC ? Nd4j.randn(DataType.FLOAT, 2, 12, 10, 3)
                : Nd4j.randn(DataType.FLOAT, 2, 3, 12, 10);
        INDArray expected = net.outputSingle(x);
        InferenceGraphs.Folded folded = InferenceGraphs.fold(net);
        assertEquals(new InferenceGraphs.FoldReport(4, 4, 2), folded.report());
        ComputationGraph inf = folded.graph();
        assertTrue(inf.getConfiguration().getVertices().values().stream()
                .noneMatch(v -> v.toString().contains("BatchNormalization")));
        assertTrue(inf.getLayer("c1").conf().getLayer() instanceof NativeConv2D);
        assertTrue(inf.getLayer("dw").conf().getLayer() instanceof NativeDepthwiseConv2D);
        // 14 vertices minus 4 BatchNorms and 2 fused activations
        assertEquals(8, inf.getConfiguration().getVertices().size());
        INDArray actual = inf.outputSingle(x);
        double maxDiff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(maxDiff < 1e-5, "max |difference| " + maxDiff);
    }

    @Test
    void foldedGraphComputesTheSameNchw() {
        foldedEqualsOriginal(CNN2DFormat.NCHW, false);
    }

    @Test
    void foldedGraphComputesTheSameNhwc() {
        foldedEqualsOriginal(CNN2DFormat.NHWC, false);
    }

    @Test
    void foldedTsmResNetAndMobileNetComputeTheSame() {
        Nd4j.getRandom().setSeed(21);
        for (io.github.tsm4j.models.Backbone backbone : new io.github.tsm4j.models.Backbone[] {
            io.github.tsm4j.models.Backbone.RESNET18, io.github.tsm4j.models.Backbone.MOBILENET_V2}) {
            io.github.tsm4j.models.TsmConfig.Builder b = io.github.tsm4j.models.TsmConfig.builder(backbone, 5)
                    .segments(2).inputSize(32, 36).dropout(0).dataFormat(CNN2DFormat.NHWC);
            if (backbone.isResNet()) {
                b.baseWidth(8);
            }
            ComputationGraph net = new ComputationGraph(io.github.tsm4j.models.TsmNetworks.offline(b.build()));
            net.init();
            io.github.tsm4j.models.Classifiers.randomize(net, 17); // not N(0, 0.001): logits of unit scale
            // random running statistics, as after training
            for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
                if (l.conf().getLayer() instanceof BatchNormalization) {
                    long c = l.getParam("mean").length();
                    l.setParam("mean", Nd4j.randn(DataType.FLOAT, 1, c).muli(0.1));
                    l.setParam("var", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.5));
                    l.setParam("gamma", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.5));
                    l.setParam("beta", Nd4j.randn(DataType.FLOAT, 1, c).muli(0.1));
                }
            }
            INDArray x = Nd4j.randn(DataType.FLOAT, 4, 3, 32, 32);
            INDArray expected = net.outputSingle(x);
            InferenceGraphs.Folded folded = InferenceGraphs.fold(net);
            long convs = net.getConfiguration().getVertices().values().stream()
                    .filter(v -> v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                            && lv.getLayerConf().getLayer() instanceof io.github.tsm4j.core.conv.AbstractNativeConv)
                    .count();
            assertEquals(convs, folded.report().foldedBatchNorms(), backbone + ": every convolution has a BatchNorm");
            INDArray actual = folded.graph().outputSingle(x);
            double maxDiff = expected.sub(actual).amaxNumber().doubleValue();
            assertTrue(maxDiff < 1e-5, backbone + ": max |difference| of the probabilities " + maxDiff);
            io.github.tsm4j.models.Classifiers.assertCloseRelativeToLargest(logits(net, x), logits(folded.graph(), x), 1e-5,
                    backbone + " logits");
        }
    }

    private static INDArray logits(ComputationGraph g, INDArray x) {
        return g.output(java.util.List.of(io.github.tsm4j.models.TsmNetworks.CONSENSUS), false, new INDArray[] {x}, null)[0];
    }

    @Test
    void foldingReadsLog10StdBatchNorm() {
        foldedEqualsOriginal(CNN2DFormat.NHWC, true);
    }

    @Test
    void nativeBatchNormAndItsFusedActivationFoldIntoTheConvolution() {
        CNN2DFormat f = CNN2DFormat.NHWC;
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in");
        g.addLayer("c1", NativeConv2D.builder().kernel(3, 3).padding(1, 1).nOut(8).format(f).build(), "in");
        g.addLayer("bn1", NativeBatchNorm.builder().channels(8).format(f).activation(ConvActivation.RELU).build(),
                "c1");
        g.addLayer("c2", NativeConv2D.builder().kernel(1, 1).nOut(6).format(f).build(), "bn1");
        g.addLayer("bn2", NativeBatchNorm.builder().channels(6).format(f).build(), "c2");
        g.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).poolingDimensions(1, 2).build(), "bn2");
        g.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                .activation(Activation.SOFTMAX).build(), "pool");
        g.setOutputs("out").setInputTypes(InputType.convolutional(9, 7, 3, f));
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        Nd4j.getRandom().setSeed(5);
        for (String name : new String[] {"bn1", "bn2"}) {
            org.deeplearning4j.nn.api.Layer l = net.getLayer(name);
            long c = l.getParam("gamma").length();
            l.setParam("gamma", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.5));
            l.setParam("beta", Nd4j.randn(DataType.FLOAT, 1, c));
            l.setParam("mean", Nd4j.randn(DataType.FLOAT, 1, c));
            l.setParam("var", Nd4j.rand(DataType.FLOAT, 1, c).addi(0.2));
        }
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 9, 7, 3);
        INDArray expected = net.outputSingle(x);
        InferenceGraphs.Folded folded = InferenceGraphs.fold(net);
        assertEquals(new InferenceGraphs.FoldReport(2, 2, 1), folded.report());
        ComputationGraph inf = folded.graph();
        assertEquals(ConvActivation.RELU, ((NativeConv2D) inf.getLayer("c1").conf().getLayer()).getConvActivation());
        assertEquals(ConvActivation.IDENTITY,
                ((NativeConv2D) inf.getLayer("c2").conf().getLayer()).getConvActivation());
        assertEquals(4, inf.getConfiguration().getVertices().size()); // c1, c2, pool, out
        double maxDiff = expected.sub(inf.outputSingle(x)).amaxNumber().doubleValue();
        assertTrue(maxDiff < 1e-5, "max |difference| " + maxDiff);
    }
}
