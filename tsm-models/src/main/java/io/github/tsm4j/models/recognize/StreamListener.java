package io.github.tsm4j.models.recognize;

/**
 * Receives what a {@link StreamRecognizer} sees, on the recognizer's thread, in frame order per stream. Every method
 * has an empty default: implement what you need. Keep the work short (it delays the next step), or hand it to a
 * thread of your own.
 */
public interface StreamListener {

    /**
     * Every processed frame.
     *
     * @param frame the frame's result
     */
    default void onFrame(FrameResult frame) {
    }

    /**
     * The smoothed label of a source changed (also once for its first frame).
     *
     * @param change what changed
     */
    default void onLabelChange(LabelChange change) {
    }

    /**
     * A source ended (its last frame was processed, or it failed: {@link StreamReport#error()}).
     *
     * @param report what happened to it
     */
    default void onEnd(StreamReport report) {
    }
}
