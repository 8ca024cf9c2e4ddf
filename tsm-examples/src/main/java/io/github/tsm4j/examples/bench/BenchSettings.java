package io.github.tsm4j.examples.bench;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * Settings of one {@code tsm bench} run.
 *
 * @param threads native threads, at least 1
 * @param warmup untimed runs per figure, at least 1
 * @param runs timed runs per figure (median reported), at least 10
 * @param size frame side in pixels (224 in the paper), at least 32
 * @param stock also time DL4J's stock convolution in the conv section
 * @param sections what to run
 * @param trainFormat layout of the network in the train section (NHWC, the fast CPU layout, by default)
 */
public record BenchSettings(int threads, int warmup, int runs, int size, boolean stock,
        EnumSet<BenchSection> sections, CNN2DFormat trainFormat) {

    /** Default threads: the 2 cores of the reference VM. */
    public static final int DEFAULT_THREADS = 2;
    /** Default warm-up runs. */
    public static final int DEFAULT_WARMUP = 3;
    /** Default timed runs (issue 9 asks for medians of at least 10). */
    public static final int DEFAULT_RUNS = 10;
    /** Default frame side. */
    public static final int DEFAULT_SIZE = 224;
    /** Default layout of the training-step network. */
    public static final CNN2DFormat DEFAULT_TRAIN_FORMAT = CNN2DFormat.NHWC;
    /** Smallest accepted number of timed runs. */
    public static final int MIN_RUNS = 10;

    public BenchSettings {
        if (threads < 1) {
            throw new IllegalArgumentException("bench --threads must be >= 1, found " + threads);
        }
        if (warmup < 1) {
            throw new IllegalArgumentException("bench --warmup must be >= 1, found " + warmup);
        }
        if (runs < MIN_RUNS) {
            throw new IllegalArgumentException("bench --runs must be >= " + MIN_RUNS + " (medians of at least "
                    + MIN_RUNS + "), found " + runs);
        }
        if (size < 32) {
            throw new IllegalArgumentException("bench --size must be >= 32, found " + size);
        }
        if (sections == null || sections.isEmpty()) {
            throw new IllegalArgumentException("bench --only must name at least one section");
        }
        sections = EnumSet.copyOf(sections);
        if (trainFormat == null) {
            throw new IllegalArgumentException("bench --train-format must be NCHW or NHWC, found null");
        }
    }

    /** Settings with the train section in NHWC ({@link #DEFAULT_TRAIN_FORMAT}). */
    public BenchSettings(int threads, int warmup, int runs, int size, boolean stock, EnumSet<BenchSection> sections) {
        this(threads, warmup, runs, size, stock, sections, DEFAULT_TRAIN_FORMAT);
    }

    /** @return the settings as ordered key/values for the JSON report */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", threads);
        m.put("warmup", warmup);
        m.put("runs", runs);
        m.put("size", size);
        m.put("sections", sections.toString());
        m.put("train_format", trainFormat.name());
        return m;
    }
}
