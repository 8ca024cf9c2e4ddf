package io.github.tsm4j.data.dataset;

import java.nio.file.Path;

/**
 * One video of a dataset.
 *
 * @param id the dataset's id of the video (e.g. the Something-Something number, a UCF101 file stem)
 * @param path a video file or a frame folder
 * @param label class id in {@code [0, K)}, or {@link #UNLABELLED} (test splits)
 * @param frameCount frame count claimed by the annotation (list files), or {@link #UNKNOWN_FRAMES}
 */
public record VideoSample(String id, Path path, int label, int frameCount) {

    /** Label of a sample without ground truth. */
    public static final int UNLABELLED = -1;
    /** Frame count when the annotation does not give one. */
    public static final int UNKNOWN_FRAMES = -1;

    public VideoSample {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("VideoSample.id must not be empty");
        }
        if (path == null) {
            throw new IllegalArgumentException("VideoSample.path must not be null (id " + id + ")");
        }
        if (label < UNLABELLED) {
            throw new IllegalArgumentException("VideoSample.label must be >= 0 or UNLABELLED, found " + label);
        }
    }

    /**
     * A sample without a frame count.
     *
     * @param id id
     * @param path video or folder
     * @param label class id or {@link #UNLABELLED}
     */
    public VideoSample(String id, Path path, int label) {
        this(id, path, label, UNKNOWN_FRAMES);
    }

    /** @return whether the sample has a ground-truth label */
    public boolean labelled() {
        return label >= 0;
    }
}
