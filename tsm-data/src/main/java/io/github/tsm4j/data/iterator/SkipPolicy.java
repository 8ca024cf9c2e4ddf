package io.github.tsm4j.data.iterator;

/** What an iterator does with a video that cannot be decoded. Another video is never substituted. */
public enum SkipPolicy {
    /** Throw the decoding error (the default). */
    FAIL,
    /** Log a warning naming the video, leave it out, count it ({@code skippedCount()}). */
    SKIP
}
