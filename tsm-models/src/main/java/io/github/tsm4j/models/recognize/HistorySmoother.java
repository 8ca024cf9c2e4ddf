package io.github.tsm4j.models.recognize;

import java.util.Map;
import java.util.Set;

/**
 * Label smoothing of the official online gesture demo ({@code online_demo/main.py} of
 * mit-han-lab/temporal-shift-module, {@code HISTORY_LOGIT} and {@code process_output}), step for step:
 * <ol>
 *   <li>sum the logit vectors of the last {@code window} frames (float, oldest first, like Python's
 *       {@code sum} over the list) and take the arg-max (first index on ties, like {@code np.argmax});</li>
 *   <li>an ignored class is replaced by the previous output (the demo masks classes 3, 7, 8, 21, 22);</li>
 *   <li>aliases map a class to another (the demo maps 0 "Doing other things" to 2 "No gesture");</li>
 *   <li>a change of label is accepted only when the last two outputs agree; otherwise the previous
 *       output is kept. A new label therefore holds for at least two frames.</li>
 * </ol>
 * The demo starts its output history as {@code [2]} and would fail ({@code IndexError}) if the very first
 * frame changed the label; here the history starts as two copies of the initial class, which treats the
 * start as settled and accepts such a first change. Steps 2–4 apply only when {@link Config#refine()} is
 * set. Not thread-safe: one per stream.
 */
public final class HistorySmoother {

    /**
     * Smoothing settings.
     *
     * @param window number of logit vectors summed, at least 1 (the demo: 12)
     * @param refine whether steps 2–4 apply (the demo's {@code REFINE_OUTPUT})
     * @param ignored classes replaced by the previous output
     * @param aliases class → class it is reported as
     * @param initialClass output before the first frame
     */
    public record Config(int window, boolean refine, Set<Integer> ignored, Map<Integer, Integer> aliases,
            int initialClass) {

        /** The demo's logit window. */
        public static final int DEMO_WINDOW = 12;

        public Config {
            if (window < 1) {
                throw new IllegalArgumentException("history window must be >= 1, found " + window);
            }
            ignored = Set.copyOf(ignored);
            aliases = Map.copyOf(aliases);
            if (initialClass < 0) {
                throw new IllegalArgumentException("initial class must be >= 0, found " + initialClass);
            }
        }

        /**
         * Sum of the last {@code window} logit vectors and, for a window above 1, the two-agree rule;
         * no classes ignored or aliased (a generic model).
         *
         * @param window logit vectors summed; 1 = the raw per-frame arg-max
         * @return the settings
         */
        public static Config ofWindow(int window) {
            return new Config(window, window > 1, Set.of(), Map.of(), 0);
        }

        /**
         * Exactly the official Jester demo: window 12, refine, classes 3, 7, 8, 21, 22 ignored, 0 reported
         * as 2, initial output 2.
         *
         * @return the settings
         */
        public static Config jesterDemo() {
            return new Config(DEMO_WINDOW, true, Set.of(7, 8, 21, 22, 3), Map.of(0, 2), 2);
        }
    }

    private final Config config;
    private float[][] ring;
    private int filled;
    private int next;
    private float[] sum;
    private int last;
    private int beforeLast;

    /**
     * @param config the settings
     */
    public HistorySmoother(Config config) {
        this.config = config;
        reset();
    }

    /** Forgets the history (a new stream). */
    public void reset() {
        ring = null;
        filled = 0;
        next = 0;
        last = config.initialClass();
        beforeLast = config.initialClass();
    }

    /**
     * Adds one frame's logits and returns the smoothed label.
     *
     * @param logits the frame's logits {@code [K]}; copied
     * @return the class index to report for this frame
     */
    public int update(float[] logits) {
        if (ring == null) {
            ring = new float[config.window()][];
            sum = new float[logits.length];
        } else if (logits.length != sum.length) {
            throw new IllegalArgumentException("logits length changed from " + sum.length + " to " + logits.length);
        }
        ring[next] = logits.clone();
        next = (next + 1) % ring.length;
        filled = Math.min(filled + 1, ring.length);
        java.util.Arrays.fill(sum, 0f);
        int oldest = filled < ring.length ? 0 : next;
        for (int i = 0; i < filled; i++) {
            float[] v = ring[(oldest + i) % ring.length];
            for (int k = 0; k < sum.length; k++) {
                sum[k] += v[k];
            }
        }
        int idx = argmax(sum);
        if (!config.refine()) {
            return idx;
        }
        if (config.ignored().contains(idx)) {
            idx = last;
        }
        idx = config.aliases().getOrDefault(idx, idx);
        if (idx != last && last != beforeLast) {
            idx = last;
        }
        beforeLast = last;
        last = idx;
        return idx;
    }

    /**
     * Index of the largest value, the first one on ties.
     *
     * @param v values
     * @return the index
     */
    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
