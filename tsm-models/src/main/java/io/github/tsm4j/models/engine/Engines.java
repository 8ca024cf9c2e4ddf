package io.github.tsm4j.models.engine;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmStreamingModel;

/** Creates the engine an options record names. */
public final class Engines {
    private Engines() {}

    /**
     * @param model the model (any form; the ND4J engine runs its {@link TsmModel#forInference()} form)
     * @param kind which engine
     * @param threads engine threads where the engine takes them, 0 = its default
     * @return the offline engine
     * @throws IllegalStateException naming the artifact to add when the engine is not on the class path
     */
    public static ClipEngine offline(TsmModel model, EngineKind kind, int threads) {
        return offline(model, kind, threads, ExecutionOptions.defaults());
    }

    /**
     * @param model the model (any form; the ND4J engine runs its {@link TsmModel#forInference(ExecutionOptions)} form)
     * @param kind which engine
     * @param threads engine threads where the engine takes them, 0 = its default
     * @param execution tsm4j's execution settings (layout, kernels) for the ND4J engine
     * @return the offline engine
     */
    public static ClipEngine offline(TsmModel model, EngineKind kind, int threads, ExecutionOptions execution) {
        return switch (kind) {
            case ND4J -> new Nd4jClipEngine(model.forInference(execution));
            case ONNX_RUNTIME -> io.github.tsm4j.models.onnx.OrtEngines.offline(model, threads);
        };
    }

    /**
     * @param model the offline model (its streaming twin is built, {@link TsmStreamingModel#of})
     * @param streams B, the streams served at once
     * @param kind which engine
     * @param threads engine threads where the engine takes them, 0 = its default
     * @return the online engine for B streams
     * @throws IllegalStateException naming the artifact to add when the engine is not on the class path
     */
    public static FrameEngine online(TsmModel model, int streams, EngineKind kind, int threads) {
        return online(model, streams, kind, threads, ExecutionOptions.defaults());
    }

    /**
     * @param model the offline model
     * @param streams B, the streams served at once
     * @param kind which engine
     * @param threads engine threads where the engine takes them, 0 = its default
     * @param execution tsm4j's execution settings (layout, kernels, streaming executor) for the ND4J engine
     * @return the online engine for B streams
     */
    public static FrameEngine online(TsmModel model, int streams, EngineKind kind, int threads,
            ExecutionOptions execution) {
        return switch (kind) {
            case ND4J -> new Nd4jFrameEngine(TsmStreamingModel.of(model, streams, execution));
            case ONNX_RUNTIME -> io.github.tsm4j.models.onnx.OrtEngines.online(model, streams, threads);
        };
    }
}
