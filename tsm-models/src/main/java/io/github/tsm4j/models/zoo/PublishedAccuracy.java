package io.github.tsm4j.models.zoo;

/**
 * An accuracy as its publisher reports it, with the test protocol it was measured with and where it was read.
 *
 * @param top1 top-1 accuracy in percent
 * @param top5 top-5 accuracy in percent, or null when not published
 * @param protocol sampling, frames, clips and crops of the measurement
 * @param source the page or file the figure was read from
 */
public record PublishedAccuracy(double top1, Double top5, String protocol, String source) {
    /** Validates. */
    public PublishedAccuracy {
        if (!(top1 >= 0 && top1 <= 100)) {
            throw new IllegalArgumentException("PublishedAccuracy.top1 must be a percentage in [0, 100], found " + top1);
        }
        if (top5 != null && !(top5 >= top1 && top5 <= 100)) {
            throw new IllegalArgumentException("PublishedAccuracy.top5 must be in [top1 = " + top1 + ", 100], found " + top5);
        }
        if (protocol == null || protocol.isBlank() || source == null || source.isBlank()) {
            throw new IllegalArgumentException("PublishedAccuracy needs a protocol and a source, found protocol '" + protocol
                    + "', source '" + source + "'");
        }
    }
}
