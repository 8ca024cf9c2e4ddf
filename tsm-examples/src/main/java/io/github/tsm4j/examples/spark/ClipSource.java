package io.github.tsm4j.examples.spark;

import io.github.tsm4j.data.iterator.ClipLoader;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.random.RandomGenerator;

/**
 * How an executor turns a row into pixels. The default decodes with {@link ClipLoader} (FFmpeg or a frame
 * folder); tests wrap it to inject failures. Implementations are shipped to executors, so they must be
 * serialisable and hold no decoded data.
 */
@FunctionalInterface
public interface ClipSource extends Serializable {

    /** Decodes with the loader (random TSN sampling and augmentation in training). */
    ClipSource DECODE = (row, loader, rng) -> loader.load(Path.of(row.path()), rng);

    /**
     * @param row the annotation row
     * @param loader the executor's training loader
     * @param rng the row's random source
     * @return {@code loader.lengthPerVideo()} floats: {@code [T, 3, crop, crop]} NCHW frames
     */
    float[] load(ClipRow row, ClipLoader loader, RandomGenerator rng);
}
