package io.github.tsm4j.examples.stream;

import java.nio.file.Path;

/**
 * How one stream is processed and reported.
 *
 * @param printEvery print the label every this many processed frames (0 = only the summary)
 * @param realtime drop frames the model cannot keep up with (and pace files to their timestamps)
 * @param queueCapacity frames the decoder may run ahead, at least 1
 * @param smoothing label smoothing
 * @param out annotated video to write, or null
 * @param timeline confidence plot (PNG) to write, or null
 */
public record StreamOptions(int printEvery, boolean realtime, int queueCapacity, HistorySmoother.Config smoothing,
        Path out, Path timeline) {

    /** Default decoder queue capacity in frames. */
    public static final int DEFAULT_QUEUE = 4;

    public StreamOptions {
        if (printEvery < 0) {
            throw new IllegalArgumentException("--every must be >= 0, found " + printEvery);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("--queue must be >= 1, found " + queueCapacity);
        }
        if (smoothing == null) {
            throw new IllegalArgumentException("smoothing settings are required");
        }
    }
}
