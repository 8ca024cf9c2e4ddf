package io.github.tsm4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ExecutionOptions;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TsmNetworksTest {

    private static long params(Backbone backbone, int classes, ShiftPlacement placement) {
        TsmConfig c = TsmConfig.builder(backbone, classes).placement(placement).build();
        return TsmNetworks.trainableParams(TsmNetworks.offline(c));
    }

    @Test
    void parameterCountsEqualTorchvision() {
        assertEquals(11_689_512L, params(Backbone.RESNET18, 1000, ShiftPlacement.NONE));
        assertEquals(25_557_032L, params(Backbone.RESNET50, 1000, ShiftPlacement.NONE));
        assertEquals(44_549_160L, params(Backbone.RESNET101, 1000, ShiftPlacement.NONE));
        assertEquals(3_504_872L, params(Backbone.MOBILENET_V2, 1000, ShiftPlacement.NONE));
    }

    @Test
    void tsmResNet50With174ClassesHasThePublishedCountAndTheShiftAddsNothing() {
        assertEquals(23_864_558L, params(Backbone.RESNET50, 174, ShiftPlacement.RESIDUAL));
        assertEquals(23_864_558L, params(Backbone.RESNET50, 174, ShiftPlacement.IN_PLACE));
        assertEquals(23_864_558L, params(Backbone.RESNET50, 174, ShiftPlacement.NONE));
        assertEquals(params(Backbone.MOBILENET_V2, 27, ShiftPlacement.NONE),
                params(Backbone.MOBILENET_V2, 27, ShiftPlacement.RESIDUAL));
    }

    @Test
    void trainableCountOfAnInitialisedGraphMatchesTheConfigurationCount() {
        TsmConfig c = TsmConfig.builder(Backbone.RESNET18, 10).baseWidth(16).segments(2).inputSize(32, 32).build();
        ComputationGraphConfiguration conf = TsmNetworks.offline(c);
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        assertEquals(TsmNetworks.trainableParams(conf), TsmNetworks.trainableParams(g));
        // DL4J also counts BatchNorm's running mean and variance: 2 per channel of every BN layer
        long bnChannels = 16 + (16 * 2 + 32 * 2 + 64 * 2 + 128 * 2) * 2 + 32 + 64 + 128;
        assertEquals(TsmNetworks.trainableParams(g) + 2 * bnChannels, g.numParams());
    }

    private static List<String> blocks(String stage, int... indices) {
        List<String> names = new ArrayList<>();
        for (int i : indices) {
            names.add(stage + "." + i + ".shift");
        }
        return names;
    }

    private static List<String> shifts(Backbone backbone, ShiftPlacement placement) {
        return TsmNetworks.shiftVertices(TsmNetworks.offline(
                TsmConfig.builder(backbone, 5).placement(placement).baseWidth(backbone.isResNet() ? 8 : 64).build()));
    }

    @Test
    void residualShiftWrapsEveryBlockOfResNet18And50() {
        List<String> r18 = new ArrayList<>();
        r18.addAll(blocks("layer1", 0, 1));
        r18.addAll(blocks("layer2", 0, 1));
        r18.addAll(blocks("layer3", 0, 1));
        r18.addAll(blocks("layer4", 0, 1));
        assertEquals(r18, shifts(Backbone.RESNET18, ShiftPlacement.RESIDUAL));
        List<String> r50 = new ArrayList<>();
        r50.addAll(blocks("layer1", 0, 1, 2));
        r50.addAll(blocks("layer2", 0, 1, 2, 3));
        r50.addAll(blocks("layer3", 0, 1, 2, 3, 4, 5));
        r50.addAll(blocks("layer4", 0, 1, 2));
        assertEquals(r50, shifts(Backbone.RESNET50, ShiftPlacement.RESIDUAL));
        assertEquals(16, r50.size());
        assertEquals(r50, shifts(Backbone.RESNET50, ShiftPlacement.IN_PLACE));
        assertEquals(List.of(), shifts(Backbone.RESNET50, ShiftPlacement.NONE));
    }

    @Test
    void residualShiftTakesEverySecondBlockWhenLayer3HasAtLeast23Blocks() {
        List<String> r101 = new ArrayList<>();
        r101.addAll(blocks("layer1", 0, 2));
        r101.addAll(blocks("layer2", 0, 2));
        r101.addAll(blocks("layer3", 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22));
        r101.addAll(blocks("layer4", 0, 2));
        assertEquals(r101, shifts(Backbone.RESNET101, ShiftPlacement.RESIDUAL));
        assertEquals(18, r101.size());
        assertEquals(26, shifts(Backbone.RESNET152, ShiftPlacement.RESIDUAL).size());
        // the official "block" placement wraps every block
        assertEquals(33, shifts(Backbone.RESNET101, ShiftPlacement.IN_PLACE).size());
    }

    @Test
    void mobileNetV2ShiftsTheTenExpandingResidualBlocks() {
        List<String> expected = new ArrayList<>();
        for (int k : new int[] {3, 5, 6, 8, 9, 10, 12, 13, 15, 16}) {
            expected.add("features." + k + ".shift");
        }
        assertEquals(expected, shifts(Backbone.MOBILENET_V2, ShiftPlacement.RESIDUAL));
    }

    @Test
    void shiftFeedsOnlyTheResidualBranchInResidualPlacementAndBothInInPlace() {
        ComputationGraphConfiguration res = TsmNetworks.offline(TsmConfig.builder(Backbone.RESNET50, 5).baseWidth(8)
                .placement(ShiftPlacement.RESIDUAL).build());
        assertEquals(List.of("layer1.0.shift"), res.getVertexInputs().get("layer1.0.conv1"));
        assertEquals(List.of("maxpool"), res.getVertexInputs().get("layer1.0.downsample.0"));
        assertEquals(List.of("layer1.1.bn3", "layer1.0.relu"), res.getVertexInputs().get("layer1.1.add"));
        ComputationGraphConfiguration inPlace = TsmNetworks.offline(TsmConfig.builder(Backbone.RESNET50, 5)
                .baseWidth(8).placement(ShiftPlacement.IN_PLACE).build());
        assertEquals(List.of("layer1.0.shift"), inPlace.getVertexInputs().get("layer1.0.downsample.0"));
        assertEquals(List.of("layer1.1.bn3", "layer1.1.shift"), inPlace.getVertexInputs().get("layer1.1.add"));
        ComputationGraphConfiguration mb = TsmNetworks.offline(TsmConfig.builder(Backbone.MOBILENET_V2, 5).build());
        assertEquals(List.of("features.3.shift"), mb.getVertexInputs().get("features.3.conv.0.0"));
        assertEquals(List.of("features.3.conv.3", "features.2.conv.3"), mb.getVertexInputs().get("features.3.add"));
    }

    @Test
    void temporalPoolHalvesTheFramesFromLayer2On() {
        TsmConfig c = TsmConfig.builder(Backbone.RESNET50, 5).segments(4).inputSize(32, 32).baseWidth(8)
                .temporalPool(true).consensus(io.github.tsm4j.core.ConsensusMode.IDENTITY).build();
        ComputationGraphConfiguration conf = TsmNetworks.offline(c);
        assertEquals(List.of("layer1.2.relu"), conf.getVertexInputs().get("layer2.tpool"));
        assertEquals(List.of("layer2.tpool"), conf.getVertexInputs().get("layer2.0.shift"));
        assertEquals(4, shiftSegments(conf, "layer1.0.shift"));
        assertEquals(2, shiftSegments(conf, "layer2.0.shift"));
        assertEquals(2, shiftSegments(conf, "layer4.2.shift"));
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 3, 32, 32);
        // 2 videos × 4 frames in, 2 videos × 2 frames of per-frame logits out
        assertArrayEquals(new long[] {4, 5}, g.outputSingle(false, x).shape());
    }

    private static int shiftSegments(ComputationGraphConfiguration conf, String name) {
        return ((io.github.tsm4j.core.layers.TemporalShiftLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                conf.getVertices().get(name)).getLayerConf().getLayer()).getSegments();
    }

    @ParameterizedTest
    @EnumSource(Backbone.class)
    void everyBackboneMapsTwoClipsToTwoRowsOfProbabilities(Backbone backbone) {
        TsmConfig c = TsmConfig.builder(backbone, 7).segments(4).inputSize(32, 36)
                .baseWidth(backbone.isResNet() ? 8 : 64).build();
        ComputationGraph g = new ComputationGraph(TsmNetworks.offline(c));
        g.init();
        INDArray out = g.outputSingle(false, Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 3, 32, 32));
        assertArrayEquals(new long[] {2, 7}, out.shape());
        assertArrayEquals(new double[] {1, 1}, out.sum(1).toDoubleVector(), 1e-5);
    }

    @Test
    void nhwcNetworkGivesTheSameOutputAsNchwWithTheSameWeights() {
        for (Backbone backbone : new Backbone[] {Backbone.RESNET50, Backbone.MOBILENET_V2}) {
            TsmConfig nchw = TsmConfig.builder(backbone, 6).segments(4).inputSize(32, 32)
                    .baseWidth(backbone.isResNet() ? 8 : 64).build();
            TsmConfig nhwc = nchw.toBuilder().dataFormat(CNN2DFormat.NHWC).build();
            ComputationGraph a = new ComputationGraph(TsmNetworks.offline(nchw));
            a.init();
            ComputationGraph b = new ComputationGraph(TsmNetworks.offline(nhwc));
            b.init();
            // conv weights are [out, in, kH, kW] in both layouts, so parameters copy by name unchanged
            Nd4j.getRandom().setSeed(7);
            a.setParams(Nd4j.rand(a.params().dataType(), a.params().shape()).addi(0.5)); // also BN statistics
            TsmNetworks.copyParams(a, b);
            INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 3, 32, 32);
            INDArray la = a.output(List.of(TsmNetworks.CONSENSUS), false, new INDArray[] {x}, null)[0];
            INDArray lb = b.output(List.of(TsmNetworks.CONSENSUS), false, new INDArray[] {x}, null)[0];
            assertArrayEquals(la.ravel().toDoubleVector(), lb.ravel().toDoubleVector(), 1e-5 * la.amaxNumber().doubleValue(),
                    backbone.toString());
        }
    }

    /**
     * Only the stem reads the images, so only it is a data-input convolution (no image gradient); training through the
     * NHWC input conversion (which passes the absent gradient on) and without it (NCHW) updates every parameter the
     * same way in both layouts.
     */
    @Test
    void onlyTheStemSkipsTheImageGradientAndTrainingStillReachesEveryParameter() {
        ExecutionOptions oneDnn = ExecutionOptions.builder()
                .convolution(io.github.tsm4j.core.conv.ConvImplementation.ONEDNN).build();
        INDArray[] after = new INDArray[2];
        int i = 0;
        for (CNN2DFormat format : CNN2DFormat.values()) {
            TsmConfig c = TsmConfig.builder(Backbone.RESNET18, 3).segments(2).inputSize(16, 16).baseWidth(8)
                    .dataFormat(format).build();
            ComputationGraphConfiguration conf = TsmNetworks.offline(c, TsmNetworks.defaultGlobals()
                    .updater(new org.nd4j.linalg.learning.config.Sgd(0.1)), oneDnn);
            List<String> data = new ArrayList<>();
            int convs = 0;
            for (var e : conf.getVertices().entrySet()) {
                if (e.getValue() instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                        && lv.getLayerConf().getLayer() instanceof io.github.tsm4j.core.conv.NativeConv2D conv) {
                    convs++;
                    if (conv.isDataInput()) {
                        data.add(e.getKey());
                    }
                }
            }
            assertEquals(List.of("conv1"), data, format.toString());
            assertEquals(20, convs, format.toString());
            ComputationGraph g = new ComputationGraph(conf);
            g.init();
            Nd4j.getRandom().setSeed(3);
            g.setParams(Nd4j.rand(g.params().dataType(), g.params().shape()).subi(0.5).muli(0.2));
            INDArray before = g.params().dup();
            INDArray stemBefore = g.getParam("conv1_W").dup();
            Nd4j.getRandom().setSeed(4);
            INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 3, 16, 16);
            INDArray y = Nd4j.create(new float[][] {{1, 0, 0}, {0, 0, 1}});
            g.fit(new org.nd4j.linalg.dataset.DataSet(x, y));
            assertTrue(g.params().sub(before).amaxNumber().doubleValue() > 0, format.toString());
            assertTrue(g.getParam("conv1_W").sub(stemBefore).amaxNumber().doubleValue() > 0,
                    "the stem's weights train, " + format);
            after[i++] = g.params();
        }
        INDArray nchw = after[0];
        INDArray nhwc = after[1];
        assertArrayEquals(nchw.ravel().toDoubleVector(), nhwc.ravel().toDoubleVector(), 1e-4,
                "one SGD step gives the same parameters in both layouts");
    }
}
