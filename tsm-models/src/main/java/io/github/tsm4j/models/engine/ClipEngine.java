package io.github.tsm4j.models.engine;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs an offline TSM network: normalised clips in, raw consensus logits (before softmax) out.
 *
 * <p>Input {@code [N·T, 3, H, W]} float32 NCHW, the T frames of each clip contiguous, normalised as the model's
 * {@code InputSpec} says; {@code H = W = cropSize}, or {@code scaleSize} for the full-resolution protocol (the
 * networks are fully convolutional up to a global average pool). Output {@code [N][K]}.
 *
 * <p>Not thread-safe: one caller at a time. {@link #close()} frees native resources.
 */
public interface ClipEngine extends AutoCloseable {

    /** @return the engine kind */
    EngineKind kind();

    /** @return the class labels, index = class */
    List<String> labels();

    /** @return T, frames per clip */
    int segments();

    /**
     * @param clips {@code [N·T, 3, H, W]} (not modified)
     * @return raw logits after the consensus, {@code [N][K]} (new arrays)
     * @throws IllegalArgumentException naming the shape when it is not {@code [N·T, 3, H, W]}
     */
    float[][] logits(INDArray clips);

    @Override
    void close();
}
