package io.github.tsm4j.models.engine;

/** Which engine runs the network. */
public enum EngineKind {
    /** tsm4j's own engine: the BN-folded NHWC DL4J graph on the application's ND4J backend (the default). */
    ND4J,
    /**
     * ONNX Runtime on the model exported to ONNX in memory; needs {@code com.microsoft.onnxruntime:onnxruntime}
     * (or {@code onnxruntime_gpu}) on the class path.
     */
    ONNX_RUNTIME
}
