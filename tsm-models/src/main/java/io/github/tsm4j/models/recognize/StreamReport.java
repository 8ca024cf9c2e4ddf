package io.github.tsm4j.models.recognize;

import java.util.List;

/**
 * What happened to one stream.
 *
 * @param source source name
 * @param stream the model slot it ran in
 * @param decoded frames decoded
 * @param processed frames that went through the model
 * @param dropped frames dropped in real-time mode (decoded − processed)
 * @param latency per-frame processing latency (input copy, model step, smoothing)
 * @param age time from the end of decoding a frame to its label (queueing included)
 * @param wallSeconds time from the first frame taken to the last label
 * @param labels the reported label of each processed frame, in order
 * @param frameIndices source index of each processed frame (gaps = dropped frames)
 * @param error why the source stopped early (it failed to open or decode), or null when it ended normally
 */
public record StreamReport(String source, int stream, long decoded, long processed, long dropped,
        LatencyStats.Summary latency,
        LatencyStats.Summary age, double wallSeconds, List<String> labels, List<Long> frameIndices, String error) {

    public StreamReport {
        labels = List.copyOf(labels);
        frameIndices = List.copyOf(frameIndices);
    }

    /** @return whether the source ended normally */
    public boolean ok() {
        return error == null;
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
                source, processed, decoded, dropped, latency.medianMs(), latency.p99Ms(), age.medianMs(), fps())
                + (error == null ? "" : "; FAILED: " + error);
    }
}
