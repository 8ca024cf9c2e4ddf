/**
 * Iterators that decode clips on a bounded pool of background threads with ordered prefetch:
 * {@link io.github.tsm4j.data.iterator.ClipDataSetIterator} (a DL4J {@code DataSetIterator} for training
 * and evaluation) and {@link io.github.tsm4j.data.iterator.ClipIterator} (one multi-view clip per video,
 * for inference). {@link io.github.tsm4j.data.iterator.ClipLoader} turns one video into one clip.
 */
package io.github.tsm4j.data.iterator;
