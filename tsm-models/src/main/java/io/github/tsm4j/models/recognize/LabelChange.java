package io.github.tsm4j.models.recognize;

/**
 * The smoothed label of a source changed.
 *
 * @param stream the model slot, {@code [0, B)}
 * @param source the source's name
 * @param frameIndex index of the frame where the new label starts
 * @param timestampMicros its presentation time
 * @param previous the previous label, or null at the first frame
 * @param label the new label
 * @param probability the new label's probability in that frame
 */
public record LabelChange(int stream, String source, long frameIndex, long timestampMicros, String previous,
        String label, float probability) {
}
