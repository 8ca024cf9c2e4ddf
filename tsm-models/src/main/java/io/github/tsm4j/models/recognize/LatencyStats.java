package io.github.tsm4j.models.recognize;

import java.util.Arrays;

/**
 * Per-frame latencies of one stream, kept exactly (8 bytes per frame) so that the median and p99 are
 * the true order statistics, not histogram estimates. Not thread-safe: one per stream.
 *
 * <p>Definitions: median = middle value (mean of the two middle values for an even count); p99 =
 * nearest rank, the smallest value with at least 99% of the samples at or below it.
 */
public final class LatencyStats {

    /**
     * Summary in milliseconds.
     *
     * @param count number of samples
     * @param medianMs median
     * @param p99Ms 99th percentile (nearest rank)
     * @param meanMs mean
     * @param maxMs maximum
     */
    public record Summary(int count, double medianMs, double p99Ms, double meanMs, double maxMs) {}

    private long[] nanos = new long[1024];
    private int count;

    /**
     * Adds one sample.
     *
     * @param latencyNanos latency in nanoseconds, non-negative
     */
    public void record(long latencyNanos) {
        if (latencyNanos < 0) {
            throw new IllegalArgumentException("latency must be >= 0 ns, found " + latencyNanos);
        }
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = latencyNanos;
    }

    /**
     * Number of samples.
     *
     * @return count
     */
    public int count() {
        return count;
    }

    /**
     * Order statistics of the samples so far.
     *
     * @return the summary; all zeros when empty
     */
    public Summary summary() {
        if (count == 0) {
            return new Summary(0, 0, 0, 0, 0);
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        double median = count % 2 == 1
                ? sorted[count / 2]
                : (sorted[count / 2 - 1] + sorted[count / 2]) / 2.0;
        int rank = (int) Math.ceil(0.99 * count); // 1-based nearest rank
        double p99 = sorted[Math.max(rank, 1) - 1];
        double sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        return new Summary(count, median / 1e6, p99 / 1e6, sum / count / 1e6, sorted[count - 1] / 1e6);
    }
}
