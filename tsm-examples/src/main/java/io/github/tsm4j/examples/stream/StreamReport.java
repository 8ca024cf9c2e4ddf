package io.github.tsm4j.examples.stream;

import java.util.List;

/**
 * What happened to one stream.
 *
 * @param source source name
 * @param decoded frames decoded
 * @param processed frames that went through the model
 * @param dropped frames dropped in real-time mode (decoded − processed)
 * @param latency per-frame processing latency (input copy, model step, smoothing)
 * @param age time from the end of decoding a frame to its label (queueing included)
 * @param wallSeconds time from the first frame taken to the last label
 * @param labels the reported label of each processed frame, in order
 * @param frameIndices source index of each processed frame (gaps = dropped frames)
 */
public record StreamReport(String source, long decoded, long processed, long dropped, LatencyStats.Summary latency,
        LatencyStats.Summary age, double wallSeconds, List<String> labels, List<Long> frameIndices) {

    public StreamReport {
        labels = List.copyOf(labels);
        frameIndices = List.copyOf(frameIndices);
    }

    /**
     * Processed frames per second of wall time.
     *
     * @return throughput, 0 if nothing was processed
     */
    public double fps() {
        return wallSeconds > 0 ? processed / wallSeconds : 0;
    }

    /**
     * The report's summary line.
     *
     * @return e.g. {@code a.mp4: 300 frames, 0 dropped, latency median 14.1 ms, p99 20.3 ms, 62.3 frames/s}
     */
    public String summaryLine() {
        return String.format(java.util.Locale.ROOT,
                "%s: %d frames processed of %d decoded, %d dropped; latency median %.2f ms, p99 %.2f ms "
                        + "(frame age median %.2f ms); %.1f frames/s",
                source, processed, decoded, dropped, latency.medianMs(), latency.p99Ms(), age.medianMs(), fps());
    }
}
