package io.github.tsm4j.models.engine;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs an online (streaming) TSM network for B streams at once: one normalised frame per stream in, per-frame
 * logits out; each shift layer's cache (the first C/8 channels of the previous frame, per stream) is kept inside
 * and carried from call to call, zeros after {@link #reset}.
 *
 * <p>Input {@code [B, 3, S, S]} float32 NCHW; output {@code [B][K]} raw logits (before softmax). Not thread-safe.
 */
public interface FrameEngine extends AutoCloseable {

    /** @return the engine kind */
    EngineKind kind();

    /** @return the class labels, index = class */
    List<String> labels();

    /** @return B, streams per step */
    int streams();

    /**
     * One time step for every stream.
     *
     * @param frames {@code [B, 3, S, S]} (not modified)
     * @param out {@code [B][K]}, overwritten with the logits
     */
    void step(INDArray frames, float[][] out);

    /**
     * Restarts one stream (its caches return to zeros); the others keep their state.
     *
     * @param stream index in {@code [0, B)}
     */
    void reset(int stream);

    /** Restarts every stream. */
    void reset();

    @Override
    void close();
}
