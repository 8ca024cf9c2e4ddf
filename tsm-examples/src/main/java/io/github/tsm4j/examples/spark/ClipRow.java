package io.github.tsm4j.examples.spark;

import io.github.tsm4j.data.dataset.VideoSample;
import java.io.Serializable;

/**
 * One annotation row as it travels from the driver to the executors: a video's id, its path (a file or frame
 * folder every executor can read: shared file system, or the same tree on every node) and its class id. No
 * pixels travel; executors decode.
 *
 * @param id sample id
 * @param path video file or frame folder, as a string (Path is not serialisable)
 * @param label class id in {@code [0, K)}
 * @param index position in the epoch's order (seeds the row's augmentation)
 */
public record ClipRow(String id, String path, int label, int index) implements Serializable {

    /** Validates the row. */
    public ClipRow {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("ClipRow.id must be non-empty, found " + id);
        }
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("ClipRow.path of " + id + " must be non-empty, found " + path);
        }
        if (label < 0) {
            throw new IllegalArgumentException("ClipRow.label of " + id + " must be >= 0 (a labelled sample), found "
                    + label);
        }
    }

    /**
     * @param sample a labelled sample
     * @param index position in the epoch's order
     * @return its row
     */
    public static ClipRow of(VideoSample sample, int index) {
        if (!sample.labelled()) {
            throw new IllegalArgumentException("sample " + sample.id() + " (" + sample.path()
                    + ") has no label; Spark training needs labelled samples");
        }
        return new ClipRow(sample.id(), sample.path().toString(), sample.label(), index);
    }
}
