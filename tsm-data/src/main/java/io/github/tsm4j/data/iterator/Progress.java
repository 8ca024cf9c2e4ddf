package io.github.tsm4j.data.iterator;

/**
 * Where an iterator stands in its current pass, reported after each batch.
 *
 * @param epoch the epoch of the pass (0 for the first)
 * @param processed videos consumed so far in this pass (loaded or skipped)
 * @param total videos in the dataset
 * @param skipped videos skipped as broken in this pass
 */
public record Progress(int epoch, int processed, int total, int skipped) {
    /** @return fraction of the pass done, in [0, 1] */
    public double fraction() {
        return total == 0 ? 1 : processed / (double) total;
    }
}
