package io.github.tsm4j.models.onnx;

import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.engine.ClipEngine;
import io.github.tsm4j.models.engine.FrameEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * ONNX Runtime engines: a {@link TsmModel} exported to ONNX in memory ({@link OnnxExporter}) or an export read from
 * a file, run by an ONNX Runtime session with full graph optimisation on the CPU. Results equal tsm4j's own engine
 * within float rounding (tested: 1e-5 of the largest logit).
 *
 * <p>ONNX Runtime is an optional dependency: the application adds {@value #ARTIFACT} (or
 * {@code com.microsoft.onnxruntime:onnxruntime_gpu}); without it every factory here fails with one line naming
 * the artifact, and nothing else in tsm4j is affected. {@link #available()} tells beforehand.
 */
public final class OrtEngines {

    /** The Maven coordinates to add for this engine. */
    public static final String ARTIFACT = "com.microsoft.onnxruntime:onnxruntime:1.20.0";
    /** A class of the ONNX Runtime Java API, looked up without touching ONNX Runtime. */
    static final String PROBE_CLASS = "ai.onnxruntime.OrtEnvironment";

    private OrtEngines() {
    }

    /** @return whether ONNX Runtime's Java API is on the class path */
    public static boolean available() {
        return present(PROBE_CLASS);
    }

    static boolean present(String className) {
        try {
            Class.forName(className, false, OrtEngines.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Fails with one line naming the artifact when {@code className} (ONNX Runtime's probe) is missing. */
    static void require(String className) {
        if (!present(className)) {
            throw new IllegalStateException("ONNX Runtime is not on the class path: add " + ARTIFACT
                    + " (or com.microsoft.onnxruntime:onnxruntime_gpu) to use the ONNX Runtime engine");
        }
    }

    /**
     * The offline engine on a model exported in memory.
     *
     * @param model the model
     * @param threads intra-op threads, at least 1
     * @return the engine (close it)
     */
    public static ClipEngine offline(TsmModel model, int threads) {
        return offline(model, OnnxExportOptions.offline(), threads);
    }

    /**
     * The offline engine on a model exported in memory with the given options (e.g. another shift form).
     *
     * @param model the model
     * @param options export options; kind must be {@link OnnxModelKind#OFFLINE}
     * @param threads intra-op threads, at least 1
     * @return the engine (close it)
     */
    public static ClipEngine offline(TsmModel model, OnnxExportOptions options, int threads) {
        require(PROBE_CLASS);
        Objects.requireNonNull(model, "model");
        if (options.kind() != OnnxModelKind.OFFLINE) {
            throw new IllegalArgumentException("OrtEngines.offline needs OnnxExportOptions.kind OFFLINE, found "
                    + options.kind());
        }
        if (options.frames() > 0 || options.dynamicSize()) {
            // the caller fixed the input dimensions: one session on exactly that export
            return new OrtClipEngine(OnnxExporter.toBytes(model, options), threads, "in-memory export of "
                    + model.config().backbone());
        }
        return new OrtClipEngine((frames, dynamicSize) -> OnnxExporter.toBytes(model, options.withFrames(frames)
                .withDynamicSize(dynamicSize)), model.config().segments(), model.config().input().cropSize(), threads,
                "in-memory export of " + model.config().backbone());
    }

    /**
     * The offline engine on an earlier export.
     *
     * @param onnxFile a file written by {@link OnnxExporter} (or {@code tsm export}) without {@code --online}
     * @param threads intra-op threads, at least 1
     * @return the engine (close it)
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException (one line) when it is not a tsm4j export, is an online one, or its metadata
     *     does not match its graph
     */
    public static ClipEngine offline(Path onnxFile, int threads) throws IOException {
        require(PROBE_CLASS);
        return new OrtClipEngine(Files.readAllBytes(onnxFile), threads, onnxFile.toString());
    }

    /**
     * The online engine on a model exported in memory.
     *
     * @param model the model (no temporal pooling; ideally trained UNIDIRECTIONAL, see
     *     {@code TsmStreamingModel.of})
     * @param streams B, streams per step, at least 1
     * @param threads intra-op threads, at least 1
     * @return the engine (close it)
     */
    public static FrameEngine online(TsmModel model, int streams, int threads) {
        require(PROBE_CLASS);
        Objects.requireNonNull(model, "model");
        if (streams < 1) {
            throw new IllegalArgumentException("streams must be >= 1, found " + streams);
        }
        return new OrtFrameEngine(OnnxExporter.toBytes(model, OnnxExportOptions.online().withFrames(streams)),
                streams, threads, "in-memory online export of " + model.config().backbone());
    }

    /**
     * The online engine on an earlier export.
     *
     * @param onnxFile a file written with {@code --online}
     * @param streams B, at least 1
     * @param threads intra-op threads, at least 1
     * @return the engine (close it)
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException (one line) when it is not an online tsm4j export or its metadata does not
     *     match its graph
     */
    public static FrameEngine online(Path onnxFile, int streams, int threads) throws IOException {
        require(PROBE_CLASS);
        return new OrtFrameEngine(Files.readAllBytes(onnxFile), streams, threads, onnxFile.toString());
    }
}
