package io.github.tsm4j.examples.spark;

import io.github.tsm4j.models.Prediction;
import io.github.tsm4j.models.recognize.VideoResult;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One output row of distributed recognition: a video as it was listed (local path or Hadoop URI), its top-k labels
 * with probabilities, the frames used, or why it failed. Serializable (it travels from the executors to the
 * driver); contains no pixels. Failed videos are rows too ({@link #error} set, {@link #top} empty), never gaps.
 *
 * @param video the video exactly as listed
 * @param top the best labels, best first (empty when failed)
 * @param clips clips per video (0 when failed)
 * @param crops crops per clip (0 when failed)
 * @param frames frames per clip, T (0 when failed)
 * @param frameCount frames the video has (0 when failed early)
 * @param frameIndices 0-based frames used, clip after clip
 * @param error why it failed, or null
 */
public record VideoRow(String video, List<Ranked> top, int clips, int crops, int frames, int frameCount,
        List<Integer> frameIndices, String error) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Validates. */
    public VideoRow {
        if (video == null || video.isEmpty()) {
            throw new IllegalArgumentException("VideoRow.video must be non-empty, found " + video);
        }
        top = List.copyOf(Objects.requireNonNull(top, "VideoRow.top"));
        frameIndices = List.copyOf(Objects.requireNonNull(frameIndices, "VideoRow.frameIndices"));
        // one line per row in every format
        error = error == null ? null : error.replace('\r', ' ').replace('\n', ' ');
        if (error == null && top.isEmpty()) {
            throw new IllegalArgumentException("VideoRow of " + video + ": a row without error needs labels");
        }
    }

    /**
     * One ranked label.
     *
     * @param label class name
     * @param index class index
     * @param probability probability (softmax of the averaged scores)
     */
    public record Ranked(String label, int index, double probability) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * @param video the name the row carries (the listed path or URI)
     * @param r the recognizer's result
     * @return the row
     */
    public static VideoRow of(String video, VideoResult r) {
        List<Ranked> top = r.top().stream().map(VideoRow::ranked).toList();
        return new VideoRow(video, top, r.clips(), r.crops(), r.segments(), r.frameCount(), r.frameIndices(),
                r.error());
    }

    /**
     * @param video the video
     * @param error what failed (names the video)
     * @return a failed row
     */
    public static VideoRow failed(String video, String error) {
        return new VideoRow(video, List.of(), 0, 0, 0, 0, List.of(), Objects.requireNonNull(error, "error"));
    }

    private static Ranked ranked(Prediction p) {
        return new Ranked(p.label(), p.index(), p.probability());
    }

    /** @return whether the video was classified */
    public boolean ok() {
        return error == null;
    }
}
