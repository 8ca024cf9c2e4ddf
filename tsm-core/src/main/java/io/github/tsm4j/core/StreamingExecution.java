package io.github.tsm4j.core;

/**
 * How a streaming (online) TSM runs each frame ({@link ExecutionOptions#streamingExecutor()}).
 */
public enum StreamingExecution {
    /**
     * A fixed sequence of libnd4j ops bound once to preallocated activation buffers, when every vertex of the
     * network is one the lean executor knows; DL4J's graph otherwise (the default).
     */
    BOUND,
    /** Always DL4J's {@code ComputationGraph.output} (for comparison). */
    GRAPH
}
