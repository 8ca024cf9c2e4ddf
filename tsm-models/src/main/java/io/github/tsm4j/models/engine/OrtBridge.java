package io.github.tsm4j.models.engine;

import io.github.tsm4j.models.TsmModel;

/** Reaches the ONNX Runtime engine only when it is on the class path. */
final class OrtBridge {
    private OrtBridge() {}

    static final String MISSING = "ONNX Runtime is not on the class path: add com.microsoft.onnxruntime:onnxruntime"
            + ":1.20.0 (or onnxruntime_gpu) to use EngineKind.ONNX_RUNTIME";

    static ClipEngine offline(TsmModel model, int threads) {
        throw new IllegalStateException(MISSING);
    }

    static FrameEngine online(TsmModel model, int streams, int threads) {
        throw new IllegalStateException(MISSING);
    }
}
