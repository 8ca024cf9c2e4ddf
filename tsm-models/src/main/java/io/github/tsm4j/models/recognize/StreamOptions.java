package io.github.tsm4j.models.recognize;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.models.engine.EngineKind;
import java.util.Objects;

/**
 * How {@link StreamRecognizer} processes its sources.
 *
 * @param realtime {@link Realtime#AUTO}: drop frames the model cannot keep up with for live sources (cameras,
 *     URLs) and take every frame of files; {@link Realtime#ON} also paces files to their timestamps, as if live
 * @param queueCapacity frames a source's decoder thread may run ahead of the model, at least 1
 * @param smoothing label smoothing (the official gesture demo's history)
 * @param engine what runs the network
 * @param engineThreads threads for the engine where it takes a setting (ONNX Runtime), 0 = its default
 * @param execution tsm4j's execution settings for its own engine (layout, kernels, streaming executor)
 */
public record StreamOptions(Realtime realtime, int queueCapacity, HistorySmoother.Config smoothing, EngineKind engine,
        int engineThreads, ExecutionOptions execution) {

    /** Default decoder queue capacity in frames. */
    public static final int DEFAULT_QUEUE = 4;

    /** Frame dropping and pacing. */
    public enum Realtime {
        /** Live sources drop frames when the model is busy; files are read at decoding speed, nothing dropped. */
        AUTO,
        /** Every source drops frames when the model is busy, and files are paced to their timestamps. */
        ON,
        /** No source drops frames: the decoder waits for the model. */
        OFF;

        /**
         * @param live whether the source is live
         * @return whether frames are dropped (and files paced) for such a source
         */
        public boolean appliesTo(boolean live) {
            return switch (this) {
                case AUTO -> live;
                case ON -> true;
                case OFF -> false;
            };
        }
    }

    public StreamOptions {
        Objects.requireNonNull(realtime, "StreamOptions.realtime");
        Objects.requireNonNull(smoothing, "StreamOptions.smoothing");
        Objects.requireNonNull(engine, "StreamOptions.engine");
        Objects.requireNonNull(execution, "StreamOptions.execution");
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("StreamOptions.queueCapacity must be >= 1, found " + queueCapacity);
        }
        if (engineThreads < 0) {
            throw new IllegalArgumentException("StreamOptions.engineThreads must be >= 0, found " + engineThreads);
        }
    }

    /**
     * Options with tsm4j's default execution settings.
     *
     * @param realtime frame dropping and pacing
     * @param queueCapacity frames a decoder thread may run ahead
     * @param smoothing label smoothing
     * @param engine what runs the network
     * @param engineThreads its threads, 0 = default
     */
    public StreamOptions(Realtime realtime, int queueCapacity, HistorySmoother.Config smoothing, EngineKind engine,
            int engineThreads) {
        this(realtime, queueCapacity, smoothing, engine, engineThreads, ExecutionOptions.defaults());
    }

    /** @return AUTO real time, queue of 4, no smoothing (raw per-frame labels), tsm4j's engine */
    public static StreamOptions defaults() {
        return new StreamOptions(Realtime.AUTO, DEFAULT_QUEUE, HistorySmoother.Config.ofWindow(1), EngineKind.ND4J, 0);
    }

    /**
     * @param newExecution tsm4j's execution settings
     * @return a copy with them
     */
    public StreamOptions withExecution(ExecutionOptions newExecution) {
        return new StreamOptions(realtime, queueCapacity, smoothing, engine, engineThreads, newExecution);
    }

    /**
     * @param newSmoothing label smoothing
     * @return a copy with it
     */
    public StreamOptions withSmoothing(HistorySmoother.Config newSmoothing) {
        return new StreamOptions(realtime, queueCapacity, newSmoothing, engine, engineThreads, execution);
    }

    /**
     * @param newRealtime frame dropping and pacing
     * @return a copy with it
     */
    public StreamOptions withRealtime(Realtime newRealtime) {
        return new StreamOptions(newRealtime, queueCapacity, smoothing, engine, engineThreads, execution);
    }

    /**
     * @param newEngine the engine
     * @param threads its threads, 0 = default
     * @return a copy with it
     */
    public StreamOptions withEngine(EngineKind newEngine, int threads) {
        return new StreamOptions(realtime, queueCapacity, smoothing, newEngine, threads, execution);
    }
}
