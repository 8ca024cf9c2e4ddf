package io.github.tsm4j.models.train;

import io.github.tsm4j.core.norm.NativeActivation;
import java.util.Map;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.NetworkMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryType;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes DL4J's training workspace for the forward activations before the first training step, so that the first
 * step does not need twice the memory of the others.
 *
 * <p>Why: a {@link ComputationGraph} keeps every layer's activations for the backward pass in one workspace per
 * thread ({@value #ACTIVATIONS}) that DL4J sizes by <em>learning</em>: during the first step all of them are
 * allocated outside the workspace, one {@code malloc} each, and only afterwards is the workspace allocated with the
 * size seen. With glibc's default settings the freed blocks go back to the kernel; with the settings that keep
 * freed memory (the benchmarks' {@code MALLOC_MMAP_THRESHOLD_}/{@code MALLOC_TRIM_THRESHOLD_}, performance.md §5)
 * they stay resident next to the workspace, and the many differently sized blocks of the first step do not coalesce
 * into it. Measured on the 2-vCPU VM, TSM-ResNet-50 NHWC, 2 clips × 8 frames × 224 px, those settings: 6.1 GB
 * resident after the first step, 6.5 GB after four; sized in advance: 4.0 and 4.3 GB (before the in-place training
 * ReLU of {@link NativeActivation}, which takes another 0.35 GB off both).
 *
 * <p>How: DL4J's memory report of the graph ({@link ComputationGraphConfiguration#getMemoryReport}) states the
 * activation bytes per example; {@link #presize} creates the calling thread's {@value #ACTIVATIONS} workspace with
 * that many bytes for the batch (plus DL4J's own 5 % over-allocation), which DL4J then finds and uses instead of
 * learning. If a later batch needs more (a larger batch, a report that underestimates a custom layer), the excess
 * is allocated outside the workspace for that step (correct, as in DL4J's first step): presize for the largest
 * batch. Results never depend on it. The workspace belongs to the
 * thread that calls {@link ComputationGraph#fit}; call {@link #presize} on that thread, and {@link #release()} there
 * when training is over, to free the workspaces' memory before other work.
 *
 * <p>{@link Trainer} does both: it presizes before the first minibatch of a run (the features' shape gives the
 * input) and releases when the run ends.
 */
public final class TrainingWorkspaces {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingWorkspaces.class);

    /** The id of DL4J's per-thread workspace for the activations of a training step ({@code ComputationGraph}). */
    public static final String ACTIVATIONS = "WS_ALL_LAYERS_ACT";
    /** DL4J's over-allocation of that workspace (its {@code WS_ALL_LAYERS_ACT_CONFIG}). */
    public static final double OVERALLOCATION = 0.05;

    /**
     * Bytes added per graph vertex for the workspace's alignment of each allocation, which the report does not count
     * (a ResNet-18 of width 8 at 32 px, 4 frames: the report fell 0.4 % short of what DL4J used; for ResNet-50 at
     * 16 frames of 224 px it is within 0.01 %).
     */
    static final long ALIGNMENT_PER_VERTEX = 128;

    private TrainingWorkspaces() {
    }

    /**
     * The bytes the activations of one training step take for {@code examples} input examples: the memory report's
     * training activations, less those of {@link NativeActivation} layers that run in place in training, plus an
     * allowance for the workspace's alignment (the workspace adds DL4J's {@link #OVERALLOCATION} to this).
     *
     * @param graph the network
     * @param input the type of the network's single input (for TSM networks {@code InputType.convolutional(H, W, 3)}
     *     of the NCHW frames)
     * @param examples examples per minibatch as the graph sees them (frames, N·T, for TSM networks), at least 1
     * @return bytes
     * @throws IllegalArgumentException if examples &lt; 1, the graph has more than one input or the report fails
     */
    public static long activationBytes(ComputationGraph graph, InputType input, long examples) {
        if (examples < 1 || examples > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TrainingWorkspaces: examples must be 1 to " + Integer.MAX_VALUE
                    + ", found " + examples);
        }
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1) {
            throw new IllegalArgumentException("TrainingWorkspaces: the graph must have one input, found "
                    + conf.getNetworkInputs());
        }
        NetworkMemoryReport report = (NetworkMemoryReport) conf.getMemoryReport(input);
        long bytes = report.getMemoryBytes(MemoryType.ACTIVATIONS, (int) examples, MemoryUseMode.TRAINING,
                CacheMode.NONE, conf.getDataType());
        // layers that return their input in a training step allocate no activation of their own
        for (Map.Entry<String, GraphVertex> v : conf.getVertices().entrySet()) {
            if (v.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof NativeActivation a
                    && a.isInPlaceInTraining()) {
                bytes -= report.getLayerAndVertexReports().get(v.getKey()).getMemoryBytes(MemoryType.ACTIVATIONS,
                        (int) examples, MemoryUseMode.TRAINING, CacheMode.NONE, conf.getDataType());
            }
        }
        return bytes + ALIGNMENT_PER_VERTEX * conf.getVertices().size();
    }

    /**
     * Creates the calling thread's activation workspace with {@link #activationBytes} bytes, unless the graph trains
     * without workspaces or the thread already has that workspace (then nothing changes and its size is returned).
     *
     * @param graph the network about to be trained on this thread
     * @param input the type of its single input
     * @param examples examples per minibatch (N·T frames for TSM networks)
     * @return the workspace's size in bytes, 0 if the graph trains without workspaces
     */
    public static long presize(ComputationGraph graph, InputType input, long examples) {
        if (graph.getConfiguration().getTrainingWorkspaceMode() != WorkspaceMode.ENABLED) {
            return 0;
        }
        if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(ACTIVATIONS)) {
            return Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(ACTIVATIONS).getCurrentSize();
        }
        long bytes = activationBytes(graph, input, examples);
        WorkspaceConfiguration config = WorkspaceConfiguration.builder()
                .initialSize(bytes)
                .overallocationLimit(OVERALLOCATION)
                .policyLearning(LearningPolicy.NONE)
                .policyReset(ResetPolicy.BLOCK_LEFT)
                .policySpill(SpillPolicy.REALLOCATE)
                .policyAllocation(AllocationPolicy.OVERALLOCATE)
                .build();
        MemoryWorkspace ws = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(config, ACTIVATIONS);
        LOG.debug("Training activation workspace sized for {} examples: {} MiB", examples,
                String.format("%.1f", ws.getCurrentSize() / 1048576.0));
        return ws.getCurrentSize();
    }

    /**
     * {@link #presize(ComputationGraph, InputType, long)} for a minibatch of NCHW image features
     * {@code [examples, C, H, W]} (the clips {@code [N·T, 3, H, W]} TSM networks train on).
     *
     * @param graph the network about to be trained on this thread
     * @param features a minibatch's features, rank 4 NCHW
     * @return the workspace's size in bytes, 0 if the graph trains without workspaces
     * @throws IllegalArgumentException if the features are not rank 4
     */
    public static long presize(ComputationGraph graph, INDArray features) {
        if (features.rank() != 4) {
            throw new IllegalArgumentException("TrainingWorkspaces: features must be [N·T, C, H, W] (rank 4, NCHW), "
                    + "found shape " + java.util.Arrays.toString(features.shape()));
        }
        return presize(graph, InputType.convolutional(features.size(2), features.size(3), features.size(1)),
                features.size(0));
    }

    /** The ids of the per-thread workspaces a {@link ComputationGraph} uses (DL4J 1.0.0-M2.1). */
    static final java.util.List<String> GRAPH_WORKSPACES = java.util.List.of(ACTIVATIONS, "WS_LAYER_ACT_0",
            "WS_LAYER_ACT_1", "WS_LAYER_ACT_2", "WS_LAYER_WORKING_MEM", "WS_RNN_LOOP_WORKING_MEM", "WS_OUTPUT_MEM");

    /**
     * Destroys the calling thread's {@link ComputationGraph} workspaces that are not in use (DL4J creates them again
     * when needed), so that their memory is free for what follows training on this thread.
     *
     * @return bytes the destroyed workspaces held
     */
    public static long release() {
        long freed = 0;
        for (String id : GRAPH_WORKSPACES) {
            if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(id)
                    && !Nd4j.getWorkspaceManager().checkIfWorkspaceExistsAndActive(id)) {
                MemoryWorkspace ws = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(id);
                freed += ws.getCurrentSize();
                Nd4j.getWorkspaceManager().destroyWorkspace(ws);
            }
        }
        return freed;
    }
}
