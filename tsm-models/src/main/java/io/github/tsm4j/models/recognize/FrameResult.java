package io.github.tsm4j.models.recognize;

import io.github.tsm4j.core.stream.SourceFrame;
import java.util.Objects;

/**
 * One processed frame of one source.
 *
 * @param stream the model slot the source runs in, {@code [0, B)}
 * @param source the source's name
 * @param frameRate the source's nominal frames per second ({@code NaN} if unknown)
 * @param frame the frame (picture and network input; do not modify)
 * @param probabilities softmax of this frame's logits (owned by the listener)
 * @param label smoothed label index
 * @param labelName smoothed label
 * @param latencyNanos time of the model step that produced it (shared by the B streams of that step)
 */
public record FrameResult(int stream, String source, double frameRate, SourceFrame frame, float[] probabilities,
        int label, String labelName, long latencyNanos) {

    public FrameResult {
        Objects.requireNonNull(source, "FrameResult.source");
        Objects.requireNonNull(frame, "FrameResult.frame");
        Objects.requireNonNull(probabilities, "FrameResult.probabilities");
    }

    /** @return the probability of the smoothed label in this frame */
    public float probability() {
        return probabilities[label];
    }
}
