package io.github.tsm4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.StreamingExecution;
import io.github.tsm4j.core.TemporalShift;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link TsmModel#forInference()} runs on the bound executor (in-place shift, in-place add and ReLU, reused
 * buffers) and gives what the same folded network gives through DL4J's {@code ComputationGraph}: every backbone
 * kind, both layouts and directions, every consensus, the placements whose shift cannot run in place, and the
 * networks the executor does not know (temporal pooling), which fall back to the graph and say why.
 */
class BoundInferenceTest {

    private static final ExecutionOptions GRAPH =
            ExecutionOptions.builder().streamingExecutor(StreamingExecution.GRAPH).build();

    private static TsmModel model(TsmConfig config, long seed) {
        Nd4j.getRandom().setSeed(seed);
        TsmModel m = TsmModel.create(config, TsmModel.defaultLabels(config.numClasses()));
        for (Layer layer : m.graph().getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                layer.getParam("mean").assign(Nd4j.randn(DataType.FLOAT, layer.getParam("mean").shape()).muli(0.2));
                layer.getParam("var").assign(Nd4j.rand(DataType.FLOAT, layer.getParam("var").shape()).addi(0.5));
                layer.getParam("gamma").assign(Nd4j.rand(DataType.FLOAT, layer.getParam("gamma").shape()).addi(0.5));
                layer.getParam("beta").assign(Nd4j.randn(DataType.FLOAT, layer.getParam("beta").shape()).muli(0.1));
            }
        }
        // the classifier's N(0, 0.001) init would make every logit ~0: give it weights that separate classes
        m.graph().getLayer(TsmNetworks.FC).getParam("W").assign(
                Nd4j.randn(DataType.FLOAT, m.graph().getLayer(TsmNetworks.FC).getParam("W").shape()).muli(0.05));
        return m;
    }

    private static TsmConfig.Builder resnet(Backbone backbone, int segments) {
        return TsmConfig.builder(backbone, 5).segments(segments).inputSize(32, 36).baseWidth(8).dropout(0.5);
    }

    private static INDArray clips(int videos, int segments, int size, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, (long) videos * segments, 3, size, size);
    }

    /** Bound and graph inference forms of one model: equal logits and probabilities; the path is the bound one. */
    private static void assertBoundEqualsGraph(TsmModel trained, ExecutionOptions options, INDArray x,
            String expectedPath) {
        TsmModel bound = trained.forInference(options);
        TsmModel graph = trained.forInference(GRAPH.toBuilder().layout(options.layout())
                .shiftKernel(options.shiftKernel()).build());
        INDArray input = x.dup();
        INDArray expected = graph.logits(x);
        INDArray got = bound.logits(x);
        String what = trained.config() + " " + options.layout() + " " + options.shiftKernel();
        assertTrue(bound.executionPath().startsWith(expectedPath), bound.executionPath() + " — " + what);
        assertEquals(input, x, "the caller's clips are not modified (" + what + ")");
        assertEquals(List.of(expected.shape()[0], expected.shape()[1]), List.of(got.shape()[0], got.shape()[1]));
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 0.05, "logits are not all ~0: " + expected);
        double diff = expected.sub(got).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, "max |bound − graph| = " + diff + " (logits up to " + scale + "), " + what);
        assertTrue(graph.output(x).equalsWithEps(bound.output(x), 1e-5), "probabilities, " + what);
        // a second call on the same buffers: the in-place shifts were undone, nothing leaks between calls
        assertTrue(expected.equalsWithEps(bound.logits(x), 1e-5 * scale), "second call, " + what);
    }

    @Test
    void basicBlocksBothLayoutsBothDirectionsAndEveryConsensus() {
        for (CNN2DFormat layout : CNN2DFormat.values()) {
            for (ShiftDirection direction : ShiftDirection.values()) {
                for (ConsensusMode consensus : ConsensusMode.values()) {
                    TsmModel m = model(resnet(Backbone.RESNET18, 4).direction(direction).consensus(consensus)
                            .build(), 11);
                    assertBoundEqualsGraph(m, ExecutionOptions.builder().layout(layout).build(),
                            clips(2, 4, 32, 5), "bound executor: ");
                }
            }
        }
    }

    @Test
    void bottlenecksWithDownsamplingBlocksAndOddClipLengths() {
        for (int segments : new int[] {1, 3}) {
            TsmModel m = model(resnet(Backbone.RESNET50, segments).build(), 12);
            for (CNN2DFormat layout : CNN2DFormat.values()) {
                // HOST: the in-place shift on the calling thread; ONEDNN: in place through oneDNN reorders
                for (TemporalShift.Kernel kernel : new TemporalShift.Kernel[] {TemporalShift.Kernel.HOST,
                        TemporalShift.Kernel.ONEDNN}) {
                    assertBoundEqualsGraph(m, ExecutionOptions.builder().layout(layout).shiftKernel(kernel).build(),
                            clips(2, segments, 32, 6), "bound executor: ");
                }
            }
        }
    }

    @Test
    void mobileNetV2() {
        TsmModel m = model(TsmConfig.builder(Backbone.MOBILENET_V2, 4).segments(2).inputSize(32, 36).build(), 13);
        assertBoundEqualsGraph(m, ExecutionOptions.defaults(), clips(2, 2, 32, 7), "bound executor: ");
    }

    @Test
    void shiftsThatCannotRunInPlaceRunOutOfPlaceWithTheChosenKernel() {
        // IN_PLACE placement: the shifted input feeds the branch and the shortcut (two readers)
        assertBoundEqualsGraph(model(resnet(Backbone.RESNET18, 3).placement(ShiftPlacement.IN_PLACE).build(), 14),
                ExecutionOptions.defaults(), clips(2, 3, 32, 8), "bound executor: ");
        // an explicitly chosen kernel other than HOST is honoured (out of place)
        assertBoundEqualsGraph(model(resnet(Backbone.RESNET18, 3).build(), 15),
                ExecutionOptions.builder().shiftKernel(TemporalShift.Kernel.VIEWS).build(), clips(1, 3, 32, 9),
                "bound executor: ");
    }

    @Test
    void temporalPoolingFallsBackToTheGraphAndSaysWhy() {
        TsmModel m = model(resnet(Backbone.RESNET18, 4).temporalPool(true).build(), 16);
        assertBoundEqualsGraph(m, ExecutionOptions.defaults(), clips(1, 4, 32, 10), "DL4J graph: vertex '");
        assertTrue(m.forInference().executionPath().startsWith("bound executor (planned at the first call"));
        assertEquals("DL4J graph", m.executionPath(), "a trainable model runs its graph");
        assertEquals("DL4J graph: ExecutionOptions.streamingExecutor = GRAPH", m.forInference(GRAPH).executionPath());
    }

    @Test
    void batchSizesComeAndGoDoubleInputIsCastAndBuffersCanBeReleased() {
        TsmModel m = model(resnet(Backbone.RESNET18, 2).build(), 17);
        TsmModel bound = m.forInference();
        TsmModel graph = m.forInference(GRAPH);
        // two executors are kept (least recently used evicted): hits, evictions and rebuilds
        for (int videos : new int[] {1, 3, 1, 2, 1, 3}) {
            INDArray x = clips(videos, 2, 32, videos);
            assertTrue(graph.logits(x).equalsWithEps(bound.logits(x), 1e-5), videos + " videos");
            assertTrue(bound.executionPath().endsWith("for input [" + 2 * videos + ", 3, 32, 32]"),
                    bound.executionPath());
        }
        INDArray x = clips(2, 2, 32, 3);
        INDArray before = bound.logits(x.castTo(DataType.DOUBLE));
        assertTrue(graph.logits(x).equalsWithEps(before, 1e-5));
        // buffers freed on request; the next call plans again and gives the same logits
        bound.releaseExecutors();
        assertTrue(bound.executionPath().startsWith("bound executor (planned at the first call"),
                bound.executionPath());
        assertEquals(before, bound.logits(x));
        assertTrue(bound.executionPath().startsWith("bound executor: "), bound.executionPath());
    }

    @Test
    void concurrentCallsAreSerialisedAndCorrect() throws Exception {
        TsmModel bound = model(resnet(Backbone.RESNET18, 2).build(), 18).forInference();
        List<INDArray> inputs = new ArrayList<>();
        List<INDArray> expected = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inputs.add(clips(1, 2, 32, 100 + i));
            expected.add(bound.logits(inputs.get(i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int r = 0; r < 12; r++) {
                int i = r % 4;
                Callable<Boolean> call = () -> expected.get(i).equals(bound.logits(inputs.get(i)));
                results.add(pool.submit(call));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
