package io.github.tsm4j.models.recognize;

import io.github.tsm4j.models.Prediction;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of classifying one video with {@link VideoRecognizer}: the top-k labels, the averaged scores, which
 * frames and views were used and how long it took, or, for a video that failed, why.
 *
 * @param video the video as given (path or URI text)
 * @param top the best labels with probabilities, best first (empty when failed)
 * @param scores the averaged score of every class ({@link #averaging()} says which kind; empty when failed)
 * @param averaging how the views' scores were combined
 * @param clips clips per video
 * @param crops crop views per clip
 * @param segments frames per clip
 * @param frameCount frames the video has (in the index space of {@code frameIndices}); 0 when failed early
 * @param frameIndices 0-based frames used, clip after clip
 * @param timestampsSeconds presentation time of each used frame ({@code NaN} where unknown)
 * @param decodeNanos time spent decoding and preprocessing
 * @param inferenceNanos time spent running the network
 * @param error why the video failed, or null when it succeeded
 */
public record VideoResult(String video, List<Prediction> top, List<Double> scores, ScoreAveraging averaging,
        int clips, int crops, int segments, int frameCount, List<Integer> frameIndices,
        List<Double> timestampsSeconds, long decodeNanos, long inferenceNanos, String error) {

    public VideoResult {
        Objects.requireNonNull(video, "VideoResult.video");
        top = List.copyOf(top);
        scores = List.copyOf(scores);
        frameIndices = List.copyOf(frameIndices);
        timestampsSeconds = List.copyOf(timestampsSeconds);
        if (error == null && top.isEmpty()) {
            throw new IllegalArgumentException("VideoResult for " + video + ": a successful result needs labels");
        }
    }

    /**
     * A failed video.
     *
     * @param video the video
     * @param averaging the averaging that was asked for
     * @param error the reason (names the video and what was wrong)
     * @param decodeNanos time spent before it failed
     * @return the result
     */
    public static VideoResult failed(String video, ScoreAveraging averaging, String error, long decodeNanos) {
        return new VideoResult(video, List.of(), List.of(), averaging, 0, 0, 0, 0, List.of(), List.of(), decodeNanos,
                0, Objects.requireNonNull(error, "error"));
    }

    /** @return whether the video was classified */
    public boolean ok() {
        return error == null;
    }

    /** @return the failure reason, empty when the video was classified */
    public Optional<String> failure() {
        return Optional.ofNullable(error);
    }

    /** @return the best label, empty when failed */
    public Optional<Prediction> best() {
        return top.isEmpty() ? Optional.empty() : Optional.of(top.get(0));
    }

    /** @return views used: clips × crops */
    public int views() {
        return clips * crops;
    }
}
