package io.github.tsm4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.StreamingExecution;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TsmStreamingModelTest {

    private static final int T = 4;
    private static final int SIZE = 32;

    /** An offline UNIDIRECTIONAL model with per-frame logits, in double, with a classifier that is not ~0. */
    private static TsmModel offline(Backbone backbone) {
        TsmConfig config = TsmConfig.builder(backbone, 5).segments(T).inputSize(SIZE, SIZE)
                .baseWidth(backbone.isResNet() ? 8 : 64).direction(ShiftDirection.UNIDIRECTIONAL)
                .consensus(ConsensusMode.IDENTITY).build();
        TsmModel model = TsmModel.create(config, TsmModel.defaultLabels(5),
                TsmNetworks.defaultGlobals().dataType(DataType.DOUBLE));
        Nd4j.getRandom().setSeed(11);
        model.graph().getParam("fc_W").assign(Nd4j.randn(DataType.DOUBLE, model.graph().getParam("fc_W").shape()));
        return model;
    }

    /** Frame t of each of the videos in {@code clips [videos·T, 3, S, S]}: {@code [videos, 3, S, S]}. */
    private static INDArray frameOfEach(INDArray clips, int videos, int t) {
        INDArray frames = Nd4j.create(clips.dataType(), videos, 3, SIZE, SIZE);
        for (int v = 0; v < videos; v++) {
            frames.get(NDArrayIndex.point(v)).assign(clips.get(NDArrayIndex.point((long) v * T + t)));
        }
        return frames;
    }

    private static void assertStreamingEqualsOffline(Backbone backbone, int expectedShiftLayers) {
        TsmModel model = offline(backbone);
        int videos = 2;
        Nd4j.getRandom().setSeed(5);
        INDArray clips = Nd4j.randn(DataType.DOUBLE, videos * T, 3, SIZE, SIZE);
        INDArray perFrame = model.logits(clips); // [videos·T, K]
        TsmStreamingModel stream = TsmStreamingModel.of(model, videos);
        assertEquals(expectedShiftLayers, stream.shiftLayers());
        assertTrue(stream.executionPath().startsWith("bound executor: "), stream.executionPath());
        // an NCHW-trained model streams in NHWC (the fast layout), with the same results
        assertEquals(org.deeplearning4j.nn.conf.CNN2DFormat.NCHW, model.config().dataFormat());
        assertEquals(model.config().toBuilder().dataFormat(org.deeplearning4j.nn.conf.CNN2DFormat.NHWC).build(),
                stream.config());
        assertTrue(Arrays.stream(stream.graph().getLayers())
                        .noneMatch(l -> l.conf().getLayer() instanceof BatchNormalization),
                "the streaming graph folds every BatchNorm into its convolution");
        double scale = perFrame.amaxNumber().doubleValue();
        INDArray out = Nd4j.create(DataType.DOUBLE, videos, 5);
        for (int t = 0; t < T; t++) {
            stream.step(frameOfEach(clips, videos, t), out);
            for (int v = 0; v < videos; v++) {
                assertArrayEquals(perFrame.getRow((long) v * T + t).toDoubleVector(), out.getRow(v).toDoubleVector(),
                        1e-5 * scale, backbone + " video " + v + " frame " + t);
            }
        }
    }

    @Test
    void streamingMobileNetV2EqualsTheOfflineUnidirectionalModelFrameByFrame() {
        assertStreamingEqualsOffline(Backbone.MOBILENET_V2, 10);
    }

    @Test
    void streamingResNet50EqualsTheOfflineUnidirectionalModelFrameByFrame() {
        assertStreamingEqualsOffline(Backbone.RESNET50, 16);
    }

    @Test
    void theCacheCarriesInformationAndResetRestartsAStream() {
        TsmModel model = offline(Backbone.MOBILENET_V2);
        TsmStreamingModel stream = TsmStreamingModel.of(model, 2);
        Nd4j.getRandom().setSeed(9);
        INDArray a = Nd4j.randn(DataType.DOUBLE, 2, 3, SIZE, SIZE);
        INDArray b = Nd4j.randn(DataType.DOUBLE, 2, 3, SIZE, SIZE);
        INDArray first = stream.step(a);
        INDArray afterB = stream.step(a);
        // same frame, different history: the shifted channels differ
        assertTrue(first.sub(afterB).amaxNumber().doubleValue() > 1e-6 * first.amaxNumber().doubleValue());
        stream.step(b);
        stream.reset(1); // stream 1 restarts, stream 0 keeps b in its caches
        INDArray mixed = stream.step(a);
        stream.graph().outputSingle(false, a); // advances the caches once more: reset() must clear them all
        assertArrayEquals(first.getRow(1).toDoubleVector(), mixed.getRow(1).toDoubleVector(), 0.0);
        assertTrue(first.getRow(0).sub(mixed.getRow(0)).amaxNumber().doubleValue() > 1e-6 * first.amaxNumber().doubleValue(),
                "stream 0 kept its history");
        stream.reset();
        assertArrayEquals(first.ravel().toDoubleVector(), stream.step(a).ravel().toDoubleVector(), 0.0);
    }

    @Test
    void badFramesAndStreamsAreRejected() {
        TsmStreamingModel stream = TsmStreamingModel.of(offline(Backbone.MOBILENET_V2), 2);
        assertEquals("frames must be [2, 3, 32, 32] (one NCHW frame per stream), found [1, 3, 32, 32]",
                assertThrows(IllegalArgumentException.class,
                        () -> stream.step(Nd4j.zeros(DataType.DOUBLE, 1, 3, SIZE, SIZE))).getMessage());
        assertEquals("stream must be in [0, 2), found 2",
                assertThrows(IllegalArgumentException.class, () -> stream.reset(2)).getMessage());
        TsmConfig pooled = TsmConfig.builder(Backbone.RESNET50, 5).segments(4).baseWidth(8).temporalPool(true).build();
        assertEquals("TsmConfig.temporalPool = true cannot run as a streaming model (it pools over future frames)",
                assertThrows(IllegalArgumentException.class, () -> TsmStreamingModel.create(pooled,
                        TsmModel.defaultLabels(5), 1, TsmNetworks.defaultGlobals())).getMessage());
    }

    /** Capacity and spilled/pinned bytes of every workspace of this thread, by id. */
    private static Map<String, List<Long>> workspaceSizes() {
        Map<String, List<Long>> sizes = new TreeMap<>();
        for (MemoryWorkspace ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
            Nd4jWorkspace w = (Nd4jWorkspace) ws;
            sizes.put(w.getId(), List.of(w.getCurrentSize(), w.getSpilledSize(), w.getPinnedSize()));
        }
        return sizes;
    }

    /** A streaming model built with the given executor. */
    private static TsmStreamingModel withExecutor(String executor, TsmModel model, int streams) {
        return TsmStreamingModel.of(model, streams, io.github.tsm4j.core.ExecutionOptions.builder()
                .streamingExecutor(io.github.tsm4j.core.StreamingExecution.valueOf(
                        executor.toUpperCase(java.util.Locale.ROOT))).build());
    }

    @Test
    void graphStepsAfterWarmUpNeitherGrowNorSpillAnyWorkspace() {
        TsmStreamingModel stream = withExecutor("graph", offline(Backbone.MOBILENET_V2), 1);
        assertEquals("DL4J graph: ExecutionOptions.streamingExecutor = GRAPH", stream.executionPath());
        INDArray frame = Nd4j.randn(DataType.DOUBLE, 1, 3, SIZE, SIZE);
        INDArray out = Nd4j.create(DataType.DOUBLE, 1, 5);
        // DL4J's rotating activation workspaces size themselves over the first few passes
        for (int i = 0; i < 8; i++) {
            stream.step(frame, out);
        }
        Map<String, List<Long>> warm = workspaceSizes();
        assertTrue(warm.keySet().stream().anyMatch(id -> id.startsWith("TSM_STREAM_OUT_")), warm.toString());
        for (List<Long> v : warm.values()) {
            assertEquals(List.of(0L, 0L), v.subList(1, 3), "spilled/pinned bytes after warm-up: " + warm);
        }
        for (int i = 0; i < 10; i++) {
            stream.step(frame, out);
        }
        assertEquals(warm, workspaceSizes());
    }

    @Test
    void boundStepsAllocateNoJavaHeapAndUseNoWorkspace() {
        TsmStreamingModel stream = TsmStreamingModel.of(offline(Backbone.MOBILENET_V2), 2);
        assertTrue(stream.executionPath().startsWith("bound executor: "), stream.executionPath());
        // frames and outputs alternate between arrays, as a decoder's and a consumer's buffers would
        INDArray[] frames = {Nd4j.randn(DataType.DOUBLE, 2, 3, SIZE, SIZE), Nd4j.randn(DataType.DOUBLE, 2, 3, SIZE, SIZE)};
        INDArray[] outs = {Nd4j.create(DataType.DOUBLE, 2, 5), Nd4j.create(DataType.DOUBLE, 2, 5)};
        Map<String, List<Long>> before = workspaceSizes();
        for (int i = 0; i < 3; i++) {
            stream.step(frames[i % 2], outs[i % 2]);
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        // the fewest bytes any of three repetitions allocated: one-off JVM allocations (JIT) land in some, a
        // per-step allocation in all of them
        long fewest = Long.MAX_VALUE;
        for (int trial = 0; trial < 3; trial++) {
            long heap0 = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < 20; i++) {
                stream.step(frames[i % 2], outs[i / 2 % 2]);
            }
            fewest = Math.min(fewest, threads.getThreadAllocatedBytes(id) - heap0);
        }
        // the DL4J graph path allocates ~0.7 MB per 224-px frame, ND4J's op binding ~300 bytes per op and call
        // (tens of kB per step here); the bound executor nothing
        assertTrue(fewest < 20, "20 steps allocated at least " + fewest + " bytes of Java heap (< 1 per step expected)");
        assertEquals(before, workspaceSizes(), "the bound executor opens no workspace");
    }

    @Test
    void boundExecutorEqualsTheDl4jGraphExactly() {
        TsmModel model = offline(Backbone.MOBILENET_V2);
        TsmStreamingModel bound = TsmStreamingModel.of(model, 2);
        TsmStreamingModel graph = withExecutor("graph", model, 2);
        Nd4j.getRandom().setSeed(4);
        for (int t = 0; t < 3; t++) {
            INDArray frames = Nd4j.randn(DataType.DOUBLE, 2, 3, SIZE, SIZE);
            INDArray expected = graph.step(frames);
            // a view with other strides as input, a fresh output array each time: both are rebound
            INDArray view = Nd4j.create(DataType.DOUBLE, 2, 3, SIZE, SIZE + 2)
                    .get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, SIZE + 1))
                    .assign(frames);
            assertArrayEquals(expected.ravel().toDoubleVector(),
                    bound.step(t == 1 ? view : frames).ravel().toDoubleVector(), 0.0, "frame " + t);
        }
    }

    /**
     * Float, oneDNN convolutions (the CLI's settings): the bound executor captures the folded weights in oneDNN's
     * layout when the model is built ({@code WeightBinding.CAPTURED}) and gives the DL4J graph's logits (up to
     * float rounding: its small 1×1 convolutions run as matrix products); a later change of the stem convolution's
     * weights in its graph (× −3: the logits change entirely) is not seen by its steps, which still equal those of
     * a model holding the old weights.
     */
    @Test
    void boundOneDnnStepsUseTheWeightsCapturedAtConstruction() {
        TsmConfig config = TsmConfig.builder(Backbone.MOBILENET_V2, 5).segments(T).inputSize(SIZE, SIZE)
                .direction(ShiftDirection.UNIDIRECTIONAL).consensus(ConsensusMode.IDENTITY).build();
        ExecutionOptions options = ExecutionOptions.oneDnn();
        TsmModel model = TsmModel.create(config, TsmModel.defaultLabels(5), TsmNetworks.defaultGlobals(), options);
        TsmStreamingModel bound = TsmStreamingModel.of(model, 1, options);
        TsmStreamingModel graph = TsmStreamingModel.of(model, 1,
                options.toBuilder().streamingExecutor(StreamingExecution.GRAPH).build());
        assertTrue(bound.executionPath().startsWith("bound executor: "), bound.executionPath());
        Nd4j.getRandom().setSeed(6);
        INDArray[] frames = new INDArray[4];
        for (int t = 0; t < frames.length; t++) {
            frames[t] = Nd4j.randn(DataType.FLOAT, 1, 3, SIZE, SIZE);
        }
        for (int t = 0; t < 2; t++) {
            INDArray expected = graph.step(frames[t]);
            assertArrayEquals(expected.toFloatVector(), bound.step(frames[t]).toFloatVector(),
                    1e-5f * expected.amaxNumber().floatValue(), "frame " + t);
        }
        String conv = Arrays.stream(bound.graph().getLayers())
                .filter(l -> l instanceof io.github.tsm4j.core.conv.NativeConvLayer)
                .map(l -> l.conf().getLayer().getLayerName()).findFirst().orElseThrow();
        bound.graph().getLayer(conv).getParam("W").muli(-3);
        for (int t = 2; t < 4; t++) {
            INDArray expected = graph.step(frames[t]);
            assertArrayEquals(expected.toFloatVector(), bound.step(frames[t]).toFloatVector(),
                    1e-5f * expected.amaxNumber().floatValue(), "frame " + t + " after " + conv
                    + ".W changed in the bound model's graph");
        }
    }

    @Test
    void unfoldedGraphsFallBackToTheDl4jGraph() {
        TsmConfig config = TsmConfig.builder(Backbone.MOBILENET_V2, 5).segments(T).inputSize(SIZE, SIZE).build();
        TsmStreamingModel stream = TsmStreamingModel.create(config, TsmModel.defaultLabels(5), 1,
                TsmNetworks.defaultGlobals());
        assertEquals("DL4J graph: vertex 'features.0.1' (layer NativeBatchNormLayer)", stream.executionPath());
        assertEquals(2, stream.step(Nd4j.rand(DataType.FLOAT, 1, 3, SIZE, SIZE)).rank());
    }
}
