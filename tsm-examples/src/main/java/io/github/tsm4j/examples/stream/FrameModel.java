package io.github.tsm4j.examples.stream;

import io.github.tsm4j.core.InputSpec;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model that classifies a video one frame at a time and keeps its own temporal state (online TSM:
 * the shifted channels of the previous frame are cached inside the model).
 *
 * <p>One instance serves one stream: {@link StreamSession} never shares an instance between sources,
 * so the caches of concurrent streams stay isolated. Implementations need not be thread-safe.
 */
public interface FrameModel {

    /**
     * Classifies the next frame of the stream and advances the temporal state.
     *
     * @param frame one normalised frame {@code [1, 3, cropSize, cropSize]} (NCHW, float); the caller
     *     owns it and may overwrite it after the call returns
     * @return the logits {@code [K]}, a fresh array owned by the caller
     */
    float[] step(INDArray frame);

    /** Forgets the temporal state: the next frame is treated as the first of a new stream. */
    void reset();

    /**
     * Class names, index = logit position.
     *
     * @return K labels
     */
    List<String> labels();

    /**
     * Input preprocessing the model was trained with (crop and scale size, mean/std).
     *
     * @return the input description
     */
    InputSpec inputSpec();
}
