package io.github.tsm4j.core;

/**
 * How the inference forms run ({@link ExecutionOptions#streamingExecutor()}): a streaming (online) TSM's frames
 * and an offline model's {@code TsmModel.forInference()} clips. Both paths compute the same function (tested).
 */
public enum StreamingExecution {
    /**
     * A fixed sequence of libnd4j ops bound once to preallocated activation buffers, when every vertex of the
     * network is one the lean executor knows; DL4J's graph otherwise (the default). Offline, the temporal shift
     * runs in place on the block input ({@code InPlaceShift}) and element-wise adds and activations overwrite
     * their input where it is read last.
     */
    BOUND,
    /** Always DL4J's {@code ComputationGraph.output} (for comparison). */
    GRAPH
}
