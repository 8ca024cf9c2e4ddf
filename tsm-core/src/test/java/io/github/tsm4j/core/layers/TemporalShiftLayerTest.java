package io.github.tsm4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.TemporalShift;
import io.github.tsm4j.core.layers.runtime.TemporalShiftLayerImpl;
import java.io.File;
import java.nio.file.Path;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.memory.MemoryType;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class TemporalShiftLayerTest {

    @TempDir
    Path dir;

    private static TemporalShiftLayer shiftConf() {
        return new TemporalShiftLayer.Builder().segments(4).foldDiv(4).name("shift").build();
    }

    @Test
    void builderDefaultsAreTheOfficialShift() {
        TemporalShiftLayer conf = new TemporalShiftLayer.Builder().segments(8).build();
        assertEquals(8, conf.getSegments());
        assertEquals(8, conf.getFoldDiv());
        assertEquals(ShiftDirection.BIDIRECTIONAL, conf.getDirection());
        assertEquals(CNN2DFormat.NCHW, conf.getDataFormat());
    }

    @Test
    void layerOutputIsTheTemporalShiftAndBackwardItsAdjoint() {
        Layer layer = SegmentConsensusLayerTest.instantiate(shiftConf());
        assertTrue(layer instanceof TemporalShiftLayerImpl);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 8, 8, 2, 2);
        INDArray g = Nd4j.rand(DataType.DOUBLE, 8, 8, 2, 2);
        INDArray out = layer.activate(x, true, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(TemporalShift.shift(x, 4, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW), out);
        INDArray back = layer.backpropGradient(g, LayerWorkspaceMgr.noWorkspaces()).getSecond();
        INDArray expected = g.ulike();
        TemporalShift.backward(g, expected, 4, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
        assertEquals(expected, back);
        assertEquals(0, layer.numParams());
    }

    @Test
    void outputTypeIsTheInputType() {
        InputType in = InputType.convolutional(56, 56, 64, CNN2DFormat.NHWC);
        TemporalShiftLayer conf = new TemporalShiftLayer.Builder().segments(8).dataFormat(CNN2DFormat.NHWC).build();
        assertEquals(in, conf.getOutputType(0, in));
    }

    @Test
    void memoryReportHasNoParametersAndNoWorkingMemory() {
        InputType in = InputType.convolutional(56, 56, 64);
        var report = shiftConf().getMemoryReport(in);
        assertEquals(0, report.getMemoryBytes(MemoryType.PARAMETERS, 8, MemoryUseMode.TRAINING,
                org.deeplearning4j.nn.conf.CacheMode.NONE, DataType.FLOAT));
        assertEquals(0, report.getMemoryBytes(MemoryType.WORKING_MEMORY_VARIABLE, 8, MemoryUseMode.TRAINING,
                org.deeplearning4j.nn.conf.CacheMode.NONE, DataType.FLOAT));
        assertEquals(in, report.getOutputType());
    }

    @Test
    void computationGraphSurvivesModelSerializerBitForBit() throws Exception {
        ComputationGraph g = Nets.graph(new TemporalShiftLayer.Builder().segments(4).foldDiv(4)
                .direction(ShiftDirection.UNIDIRECTIONAL).dataFormat(CNN2DFormat.NHWC).build(),
                CNN2DFormat.NHWC, 4, ConsensusMode.MAX, 6);
        assertTrue(g.getConfiguration().toJson().contains("\"@class\" : \"io.github.tsm4j.core.layers.TemporalShiftLayer\""));
        INDArray x = Nets.input(CNN2DFormat.NHWC, 8, 6, 2);
        INDArray before = g.outputSingle(x);
        File file = dir.resolve("shift-graph.zip").toFile();
        ModelSerializer.writeModel(g, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertEquals(g.getConfiguration(), restored.getConfiguration());
        assertEquals(g.getLayer("temporal").conf().getLayer(), restored.getLayer("temporal").conf().getLayer());
        assertArrayEquals(before.data().asDouble(), restored.outputSingle(x).data().asDouble());
    }

    @Test
    void kernelAndThreadsTravelInTheJsonAndOldJsonReadsWithTheDefaults() throws Exception {
        ComputationGraph g = Nets.graph(new TemporalShiftLayer.Builder().segments(4).foldDiv(4)
                .kernel(TemporalShift.Kernel.VIEWS).shiftThreads(2).dataFormat(CNN2DFormat.NHWC).build(),
                CNN2DFormat.NHWC, 4, ConsensusMode.AVG, 6);
        String json = g.getConfiguration().toJson();
        TemporalShiftLayer viewsConf = shiftOf(json);
        assertEquals(TemporalShift.Kernel.VIEWS, viewsConf.getKernel());
        assertEquals(2, viewsConf.getShiftThreads());
        // a file written before the fields existed: no "kernel" / "shiftThreads" in the layer's JSON
        String old = json;
        for (String field : new String[] {"\"kernel\" : \"VIEWS\"", "\"shiftThreads\" : 2"}) {
            old = old.replaceAll(java.util.regex.Pattern.quote(field) + ",\\s*", "")
                    .replaceAll(",\\s*" + java.util.regex.Pattern.quote(field), "");
        }
        assertTrue(!old.contains("\"kernel\"") && !old.contains("\"shiftThreads\""), old);
        TemporalShiftLayer oldConf = shiftOf(old);
        assertEquals(TemporalShift.Kernel.HOST, oldConf.getKernel());
        assertEquals(1, oldConf.getShiftThreads());
        assertEquals(viewsConf.getSegments(), oldConf.getSegments());
        // the same function with either kernel
        INDArray x = Nets.input(CNN2DFormat.NHWC, 8, 6, 2);
        ComputationGraph host = new ComputationGraph(org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(old));
        host.init(g.params().dup(), false);
        assertArrayEquals(g.outputSingle(x).data().asDouble(), host.outputSingle(x).data().asDouble());
        assertEquals("TemporalShiftLayer 's': shiftThreads must be >= 0 (0 = ND4J's thread count), found -1",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> new TemporalShiftLayer.Builder().segments(2).shiftThreads(-1).name("s").build()).getMessage());
    }

    private static TemporalShiftLayer shiftOf(String graphJson) {
        return (TemporalShiftLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(graphJson).getVertices().get("temporal"))
                .getLayerConf().getLayer();
    }

    @Test
    void temporalPoolGraphSurvivesModelSerializerBitForBit() throws Exception {
        ComputationGraph g = Nets.graph(new TemporalPoolLayer.Builder().segments(4).build(), CNN2DFormat.NCHW, 2,
                ConsensusMode.AVG, 6);
        INDArray x = Nets.input(CNN2DFormat.NCHW, 8, 6, 2);
        INDArray before = g.outputSingle(x);
        File file = dir.resolve("pool-graph.zip").toFile();
        ModelSerializer.writeModel(g, file, false);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, false);
        assertEquals(g.getConfiguration(), restored.getConfiguration());
        assertArrayEquals(before.data().asDouble(), restored.outputSingle(x).data().asDouble());
    }

    private static MultiLayerNetwork multiLayerNetwork() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(7).updater(new Sgd(0.1))
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new TemporalShiftLayer.Builder().segments(4).foldDiv(8).name("shift").build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new DenseLayer.Builder().nOut(Nets.CLASSES).activation(Activation.IDENTITY).build())
                .layer(new SegmentConsensusLayer.Builder().segments(4).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 3))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void multiLayerNetworkTrainsAndSurvivesModelSerializer() throws Exception {
        MultiLayerNetwork net = multiLayerNetwork();
        INDArray x = Nets.input(CNN2DFormat.NCHW, 8, 6, 5);
        INDArray y = Nets.labels(2);
        INDArray paramsBefore = net.params().dup();
        double scoreBefore = net.score(new org.nd4j.linalg.dataset.DataSet(x, y));
        for (int i = 0; i < 5; i++) {
            net.fit(x, y);
        }
        assertTrue(net.score(new org.nd4j.linalg.dataset.DataSet(x, y)) < scoreBefore, "training lowers the loss");
        assertTrue(!paramsBefore.equals(net.params()));
        assertArrayEquals(new long[] {2, Nets.CLASSES}, net.output(x).shape());
        File file = dir.resolve("mln.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertArrayEquals(net.output(x).data().asDouble(), restored.output(x).data().asDouble());
    }

    @Test
    void runtimeErrorsNameTheLayer() {
        MultiLayerNetwork net = multiLayerNetwork();
        // 6 frames are not whole clips of 4
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.output(Nets.input(CNN2DFormat.NCHW, 6, 6, 5)));
        assertEquals("TemporalShiftLayer 'shift' (layer index 1): TemporalShift: first dimension N·T = 6 is not "
                + "divisible by segments T = 4; expected [N·T, C, H, W] (NCHW) with the T frames of each clip "
                + "contiguous, found shape [6, 8, 6, 6]", e.getMessage());
    }

    @Test
    void tooFewChannelsAreRejectedWhenTheNetworkIsBuilt() {
        TemporalShiftLayer conf = new TemporalShiftLayer.Builder().segments(4).name("shift").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conf.getOutputType(2, InputType.convolutional(8, 8, 4)));
        assertEquals("TemporalShiftLayer 'shift': channels C = 4 < foldDiv = 8 (fold would be 0 and nothing would "
                + "shift); input type " + InputType.convolutional(8, 8, 4), e.getMessage());
    }

    @Test
    void feedForwardInputTypeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shiftConf().getOutputType(1, InputType.feedForward(10)));
        assertEquals("TemporalShiftLayer 'shift' (layer index 1): expected convolutional input [N·T, C, H, W] (NCHW), "
                + "found input type " + InputType.feedForward(10), e.getMessage());
    }

    @Test
    void builderRejectsBadSettings() {
        assertEquals("TemporalShiftLayer 'layer1.0.shift': segments must be >= 1 (set it with .segments(T)), found -1",
                assertThrows(IllegalArgumentException.class,
                        () -> new TemporalShiftLayer.Builder().name("layer1.0.shift").build()).getMessage());
        assertEquals("TemporalShiftLayer: foldDiv must be >= 2, found 1", assertThrows(IllegalArgumentException.class,
                () -> new TemporalShiftLayer.Builder().segments(8).foldDiv(1).build()).getMessage());
        assertEquals("TemporalShiftLayer: direction must not be null", assertThrows(IllegalArgumentException.class,
                () -> new TemporalShiftLayer.Builder().segments(8).direction(null).build()).getMessage());
        assertEquals("TemporalShiftLayer: dataFormat must not be null", assertThrows(IllegalArgumentException.class,
                () -> new TemporalShiftLayer.Builder().segments(8).dataFormat(null).build()).getMessage());
    }

    @Test
    void epsilonOfAnotherShapeIsRejected() {
        Layer layer = SegmentConsensusLayerTest.instantiate(shiftConf());
        layer.activate(Nd4j.rand(DataType.DOUBLE, 4, 8, 2, 2), true, LayerWorkspaceMgr.noWorkspaces());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.backpropGradient(Nd4j.rand(DataType.DOUBLE, 4, 8, 2, 1), LayerWorkspaceMgr.noWorkspaces()));
        assertEquals("TemporalShiftLayer 'shift' (layer index 0): epsilon shape [4, 8, 2, 1] differs from the input "
                + "shape [4, 8, 2, 2]", e.getMessage());
    }
}
