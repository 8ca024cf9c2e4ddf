package io.github.tsm4j.models;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.StreamingExecution;
import io.github.tsm4j.core.conv.WeightBinding;
import io.github.tsm4j.core.layers.runtime.OnlineShiftLayerImpl;
import io.github.tsm4j.models.infer.InferenceGraphs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online (streaming) TSM (Lin et al., ICCV 2019, §4.2): frames arrive one at a time and every shift layer keeps
 * the first C/foldDiv channels of the previous frame in a cache ({@code OnlineShiftLayer}), so each frame costs
 * one 2D forward pass. Fed a clip frame by frame, the per-frame logits equal those of the offline
 * {@link ShiftDirection#UNIDIRECTIONAL} network with IDENTITY consensus on the whole clip (same weights).
 *
 * <p>B independent streams (cameras, videos) run side by side: {@link #step(INDArray)} takes one frame of each,
 * {@code [B, 3, S, S]} NCHW normalised as {@code config().input()} says, and returns logits {@code [B, K]}.
 * {@link #reset(int)} restarts one stream (a new video), {@link #reset()} all of them.
 *
 * <p>Execution and memory: when every vertex of the graph is one the lean executor knows (the folded
 * inference graph of {@link #of}: native convolutions, online shifts, adds, pooling, the dense head), a step runs
 * as a fixed sequence of libnd4j ops bound once to activation buffers allocated at construction (outside any
 * workspace, reused by liveness): no DL4J graph bookkeeping, no workspace, and {@link #step(INDArray, INDArray)}
 * allocates nothing, Java heap or native, per frame. The result is what {@code graph().output(false, frames)}
 * computes, with the same kernels. Its oneDNN convolutions hold their weights in oneDNN's layout, reordered once
 * when the model is built ({@link io.github.tsm4j.core.conv.WeightBinding#CAPTURED}: a MobileNetV2 frame about a
 * fifth faster): the graph's parameters are the model's own copy, and changing them through {@link #graph()}
 * afterwards is not seen by the bound steps — build a new model with {@link #of} instead. Otherwise (e.g. the unfolded graph of {@link #create}, with stock BatchNorm),
 * a step runs the DL4J graph in its workspaces and copies the output into the caller's array; after warm-up no
 * workspace grows, but DL4J creates ~0.7 MB of Java objects per MobileNetV2 frame.
 * {@link ExecutionOptions#streamingExecutor()} = {@link StreamingExecution#GRAPH} forces the DL4J path (for
 * comparison). Both paths share the online
 * shift caches. {@link #step(INDArray)} additionally allocates its returned {@code [B, K]} array. Not
 * thread-safe.
 */
public final class TsmStreamingModel {

    private static final Logger LOG = LoggerFactory.getLogger(TsmStreamingModel.class);

    private final ComputationGraph graph;
    private final TsmConfig config;
    private final List<String> labels;
    private final int streams;
    private final List<OnlineShiftLayerImpl> shifts = new ArrayList<>();
    private final WorkspaceConfiguration outputWorkspace = WorkspaceConfiguration.builder()
            .initialSize(0)
            .overallocationLimit(0.1)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();
    private final String workspaceId = "TSM_STREAM_OUT_" + UUID.randomUUID();
    /** The lean executor, or null when the graph path runs. */
    private final BoundExecutor executor;
    private final String executorNote;

    private TsmStreamingModel(ComputationGraph graph, TsmConfig config, List<String> labels, int streams,
            StreamingExecution execution) {
        if (streams < 1) {
            throw new IllegalArgumentException("streams must be >= 1, found " + streams);
        }
        this.graph = graph;
        this.config = config;
        this.labels = List.copyOf(labels);
        this.streams = streams;
        for (String name : TsmNetworks.shiftVertices(graph.getConfiguration())) {
            shifts.add((OnlineShiftLayerImpl) graph.getLayer(name));
        }
        int size = config.input().cropSize();
        BoundExecutor.Result r = switch (execution) {
            case GRAPH -> new BoundExecutor.Result(null, "ExecutionOptions.streamingExecutor = GRAPH");
            // the folded graph is this model's own copy: its convolution weights are reordered into oneDNN's
            // layout once, here, instead of on every frame
            case BOUND -> BoundExecutor.create(graph, new long[] {streams, 3, size, size}, null,
                    WeightBinding.CAPTURED);
        };
        this.executor = r.executor();
        this.executorNote = executor != null
                ? "bound executor: " + executor.steps() + " native steps per frame, "
                        + executor.bufferBytes() / 1024 + " KiB of activation buffers"
                : "DL4J graph: " + r.unsupported();
        LOG.debug("Streaming model: {}", executorNote);
    }

    /**
     * The streaming twin of an offline model, sharing nothing but holding a copy of its weights (every
     * parameter, BatchNorm statistics included, copied by layer name), with every BatchNorm folded into the
     * convolution before it and ReLU/ReLU6 fused ({@link InferenceGraphs#fold}), in the NHWC layout whatever
     * layout the model was built in: the fast inference form. Its {@link #config()} is the model's with
     * {@code dataFormat = NHWC}.
     *
     * @param model an offline model (ideally trained with {@link ShiftDirection#UNIDIRECTIONAL}; a bidirectional
     *     one runs, but it saw future frames in training, which online inference cannot give it)
     * @param streams B, the number of concurrent streams
     * @return the streaming model
     */
    public static TsmStreamingModel of(TsmModel model, int streams) {
        return of(model, streams, ExecutionOptions.defaults());
    }

    /**
     * As {@link #of(TsmModel, int)} with explicit execution options: the network is built in
     * {@link ExecutionOptions#layout()} with the options' layer implementations, and steps run with
     * {@link ExecutionOptions#streamingExecutor()}.
     *
     * @param model an offline model
     * @param streams B, the number of concurrent streams
     * @param execution how the streaming network is built and run
     * @return the streaming model
     */
    public static TsmStreamingModel of(TsmModel model, int streams, ExecutionOptions execution) {
        java.util.Objects.requireNonNull(execution, "execution");
        TsmConfig config = model.config();
        if (config.shifted() && config.direction() == ShiftDirection.BIDIRECTIONAL) {
            LOG.warn("Streaming a BIDIRECTIONAL model: online inference cannot see future frames, so its outputs "
                    + "differ from the offline model's; train with direction UNIDIRECTIONAL for online use");
        }
        DataType dataType = model.graph().getConfiguration().getDataType();
        // NHWC inside whatever layout the model was trained in: the layout of oneDNN's fast kernels and of the
        // bound executor; the weights are layout-independent and copied by layer name
        TsmConfig nhwc = config.toBuilder().dataFormat(execution.layout()).build();
        ComputationGraphConfiguration conf = TsmNetworks.streaming(nhwc,
                TsmNetworks.defaultGlobals().dataType(dataType), execution);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        TsmNetworks.copyParams(model.graph(), graph);
        InferenceGraphs.Folded folded = InferenceGraphs.fold(graph);
        LOG.debug("Streaming graph: {}", folded.report());
        return new TsmStreamingModel(folded.graph(), nhwc, model.labels(), streams, execution.streamingExecutor());
    }

    /**
     * A randomly initialised streaming model.
     *
     * @param config network description (no temporal pooling)
     * @param labels one label per class
     * @param streams B
     * @param globals DL4J global settings (data type, seed)
     * @return the streaming model
     */
    public static TsmStreamingModel create(TsmConfig config, List<String> labels, int streams,
            NeuralNetConfiguration.Builder globals) {
        if (labels.size() != config.numClasses()) {
            throw new IllegalArgumentException("labels must have TsmConfig.numClasses = " + config.numClasses()
                    + " entries, found " + labels.size());
        }
        ComputationGraph graph = new ComputationGraph(TsmNetworks.streaming(config,
                globals.inferenceWorkspaceMode(WorkspaceMode.ENABLED)));
        graph.init();
        return new TsmStreamingModel(graph, config, labels, streams, StreamingExecution.BOUND);
    }

    /** @return the network description */
    public TsmConfig config() {
        return config;
    }

    /** @return class labels */
    public List<String> labels() {
        return labels;
    }

    /** @return B, the number of streams each step takes */
    public int streams() {
        return streams;
    }

    /**
     * @return the streaming DL4J graph (input {@code [B, 3, S, S]}, output {@code fc} logits {@code [B, K]}); with
     *     the bound executor, changes to its convolution parameters are not seen by {@link #step} (see the class
     *     description)
     */
    public ComputationGraph graph() {
        return graph;
    }

    /**
     * How steps run: the lean bound executor (with its step count and buffer size) or the DL4J graph (with the
     * reason, e.g. the first vertex the executor does not know).
     *
     * @return a one-line description
     */
    public String executionPath() {
        return executorNote;
    }

    /** @return how many online shift layers (caches) the network has (10 for MobileNetV2) */
    public int shiftLayers() {
        return shifts.size();
    }

    /**
     * One time step for every stream.
     *
     * @param frames {@code [B, 3, S, S]}, one normalised frame per stream
     * @return per-frame logits {@code [B, K]} (a new array)
     */
    public INDArray step(INDArray frames) {
        INDArray out = Nd4j.create(graph.getConfiguration().getDataType(), streams, config.numClasses());
        step(frames, out);
        return out;
    }

    /**
     * One time step for every stream, writing the logits into the caller's array (no allocation after warm-up).
     *
     * @param frames {@code [B, 3, S, S]}, one normalised frame per stream
     * @param out {@code [B, K]}, overwritten
     */
    public void step(INDArray frames, INDArray out) {
        int size = config.input().cropSize();
        long[] s = frames.shape();
        if (s.length != 4 || s[0] != streams || s[1] != 3 || s[2] != size || s[3] != size) {
            throw new IllegalArgumentException("frames must be [" + streams + ", 3, " + size + ", " + size
                    + "] (one NCHW frame per stream), found " + Arrays.toString(s));
        }
        if (out.rank() != 2 || out.size(0) != streams || out.size(1) != config.numClasses()) {
            throw new IllegalArgumentException("out must be [" + streams + ", " + config.numClasses() + "], found "
                    + Arrays.toString(out.shape()));
        }
        DataType dataType = graph.getConfiguration().getDataType();
        if (executor != null && frames.dataType() == dataType && out.dataType() == dataType) {
            executor.run(frames, out);
            return;
        }
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(outputWorkspace, workspaceId)) {
            INDArray logits = graph.output(false, ws, frames)[0];
            out.assign(logits);
        }
    }

    /** Restarts every stream: all shift caches return to zeros. */
    public void reset() {
        for (OnlineShiftLayerImpl s : shifts) {
            s.resetState();
        }
    }

    /**
     * Restarts one stream (e.g. its video ended and another begins); the others keep their state.
     *
     * @param stream index in {@code [0, B)}
     */
    public void reset(int stream) {
        if (stream < 0 || stream >= streams) {
            throw new IllegalArgumentException("stream must be in [0, " + streams + "), found " + stream);
        }
        for (OnlineShiftLayerImpl s : shifts) {
            s.resetStream(stream);
        }
    }
}
