package io.github.tsm4j.examples.bench;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inference calls that write their output into a reused workspace, so that steady-state calls allocate no
 * fresh native memory (on this kind of VM each freshly touched 4 KiB page costs ~10 µs).
 */
public final class WorkspaceRunner {

    private static final WorkspaceConfiguration OUT = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.STRICT)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .build();

    private final MemoryWorkspace workspace;

    /** @param id a workspace id unique to this runner */
    public WorkspaceRunner(String id) {
        workspace = Nd4j.getWorkspaceManager().createNewWorkspace(OUT, "tsm-bench-" + id);
    }

    /** One forward pass of a graph (inference mode); the output is discarded. */
    public void run(ComputationGraph graph, INDArray input) {
        try (MemoryWorkspace ws = workspace.notifyScopeEntered()) {
            graph.output(false, ws, input);
        }
    }

    /** One forward pass of a multi-layer network (inference mode); the output is discarded. */
    public void run(MultiLayerNetwork net, INDArray input) {
        try (MemoryWorkspace ws = workspace.notifyScopeEntered()) {
            net.output(input, false, null, null, ws);
        }
    }

    /** One forward pass returning a detached copy of the output (for checks, not for timing). */
    public static INDArray output(ComputationGraph graph, INDArray input) {
        return graph.outputSingle(false, input);
    }
}
