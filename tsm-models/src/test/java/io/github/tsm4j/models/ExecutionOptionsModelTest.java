package io.github.tsm4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.StreamingExecution;
import io.github.tsm4j.core.TemporalShift;
import io.github.tsm4j.core.conv.ConvImplementation;
import io.github.tsm4j.core.conv.NativeConv2D;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import io.github.tsm4j.core.norm.BatchNormImplementation;
import io.github.tsm4j.core.norm.NativeBatchNorm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Every execution option builds the network it names, computes the same function, and is recorded with the model. */
class ExecutionOptionsModelTest {

    private static final List<String> LABELS = List.of("push", "pull", "wave");

    private static TsmConfig config(CNN2DFormat format) {
        return TsmConfig.builder(Backbone.RESNET18, 3).segments(2).inputSize(16, 16).baseWidth(8).dropout(0)
                .direction(ShiftDirection.UNIDIRECTIONAL).dataFormat(format).build();
    }

    private static INDArray clips(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, 2 * 2, 3, 16, 16);
    }

    /** A model built with {@code options} holding the reference model's weights (BatchNorm statistics set). */
    private static TsmModel withWeightsOf(TsmModel reference, CNN2DFormat format, ExecutionOptions options) {
        TsmModel m = TsmModel.create(config(format), LABELS, TsmNetworks.defaultGlobals(), options);
        TsmNetworks.copyParams(reference.graph(), m.graph());
        return m;
    }

    private static TsmModel reference() {
        TsmModel m = TsmModel.create(config(CNN2DFormat.NCHW), LABELS);
        Nd4j.getRandom().setSeed(3);
        for (Layer layer : m.graph().getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                layer.getParam("mean").assign(Nd4j.randn(DataType.FLOAT, layer.getParam("mean").shape()).muli(0.2));
                layer.getParam("var").assign(Nd4j.rand(DataType.FLOAT, layer.getParam("var").shape()).addi(0.5));
            }
        }
        return m;
    }

    private static long count(ComputationGraph g, Class<?> type) {
        long n = 0;
        for (Layer layer : g.getLayers()) {
            if (type.isInstance(layer.conf().getLayer())) {
                n++;
            }
        }
        return n;
    }

    @Test
    void everyOptionBuildsWhatItNamesAndGivesTheSameOutputs() {
        TsmModel reference = reference();
        INDArray x = clips(5);
        INDArray expected = reference.output(x);
        List<ExecutionOptions> variants = List.of(
                ExecutionOptions.defaults(),
                ExecutionOptions.builder().convolution(ConvImplementation.STOCK).build(),
                ExecutionOptions.builder().batchNorm(BatchNormImplementation.STOCK).build(),
                ExecutionOptions.builder().convolution(ConvImplementation.STOCK).batchNorm(BatchNormImplementation.STOCK)
                        .build(),
                ExecutionOptions.builder().shiftKernel(TemporalShift.Kernel.VIEWS).build(),
                ExecutionOptions.builder().shiftThreads(2).build(),
                ExecutionOptions.builder().shiftThreads(0).nativeGcBudgetMB(0).nativeGcBudgetArrays(0).build());
        for (CNN2DFormat format : CNN2DFormat.values()) {
            for (ExecutionOptions o : variants) {
                String what = format + " " + o;
                TsmModel m = withWeightsOf(reference, format, o);
                assertEquals(o, m.options(), what);
                boolean nativeConv = o.convolution() == ConvImplementation.NATIVE;
                assertEquals(nativeConv ? 0 : 20, count(m.graph(), ConvolutionLayer.class), what);
                assertEquals(nativeConv ? 20 : 0, count(m.graph(), NativeConv2D.class), what);
                boolean nativeBn = o.batchNorm() == BatchNormImplementation.NATIVE;
                assertEquals(nativeBn ? 20 : 0, count(m.graph(), NativeBatchNorm.class), what);
                for (Layer layer : m.graph().getLayers()) {
                    if (layer.conf().getLayer() instanceof TemporalShiftLayer s) {
                        assertEquals(o.shiftKernel(), s.getKernel(), what);
                        assertEquals(o.shiftThreads(), s.getShiftThreads(), what);
                    }
                }
                assertArrayEquals(expected.ravel().toFloatVector(), m.output(x).ravel().toFloatVector(), 2e-5f, what);
            }
        }
    }

    @Test
    void theInferenceFormRunsInTheLayoutTheOptionsName() {
        TsmModel reference = reference();
        INDArray x = clips(6);
        INDArray expected = reference.output(x);
        for (CNN2DFormat layout : CNN2DFormat.values()) {
            ExecutionOptions o = ExecutionOptions.builder().layout(layout).shiftKernel(TemporalShift.Kernel.VIEWS).build();
            TsmModel fast = reference.forInference(o);
            assertEquals(layout, fast.config().dataFormat());
            assertEquals(o, fast.options());
            assertArrayEquals(expected.ravel().toFloatVector(), fast.output(x).ravel().toFloatVector(), 2e-5f,
                    layout.toString());
        }
        assertEquals(CNN2DFormat.NHWC, reference.forInference().config().dataFormat());
    }

    @Test
    void bothBoundExecutorsGiveTheSameLogits() {
        TsmModel reference = reference();
        TsmStreamingModel bound = TsmStreamingModel.of(reference, 1);
        TsmStreamingModel graph = TsmStreamingModel.of(reference, 1,
                ExecutionOptions.builder().streamingExecutor(StreamingExecution.GRAPH).build());
        assertTrue(bound.executionPath().startsWith("bound executor: "), bound.executionPath());
        assertEquals("DL4J graph: ExecutionOptions.streamingExecutor = GRAPH", graph.executionPath());
        INDArray x = clips(7);
        for (int t = 0; t < 2; t++) {
            INDArray frame = x.get(NDArrayIndex.interval(t, t + 1)).dup();
            assertArrayEquals(bound.step(frame).toFloatVector(), graph.step(frame).toFloatVector(), 1e-5f, "frame " + t);
        }
    }

    @Test
    void saveRecordsTheOptionsAndLoadRestoresThem(@TempDir Path dir) throws IOException {
        ExecutionOptions o = ExecutionOptions.builder().convolution(ConvImplementation.STOCK)
                .shiftKernel(TemporalShift.Kernel.VIEWS).nativeGcBudgetMB(32).build();
        TsmModel m = TsmModel.create(config(CNN2DFormat.NCHW), LABELS, TsmNetworks.defaultGlobals(), o);
        Path file = dir.resolve("m.zip");
        m.save(file, false);
        TsmModel loaded = TsmModel.load(file);
        assertEquals(o, loaded.provenance().orElseThrow().execution());
        assertEquals(o, loaded.options());
        assertEquals(20, count(loaded.graph(), ConvolutionLayer.class), "the file holds the stock convolutions");
        INDArray x = clips(8);
        assertArrayEquals(m.output(x).ravel().toFloatVector(), loaded.output(x).ravel().toFloatVector(), 0f);
    }
}
