package io.github.tsm4j.data.synthetic;

import java.util.random.RandomGenerator;

/**
 * Everything random about one synthetic clip. The object is a filled rectangle (aspect 2:1) with
 * centre {@code (x, y)}, long side {@code size} and angle {@code angle} (degrees), all relative to the
 * frame side for positions and sizes.
 *
 * <p>Each of x, size and angle has an increasing trajectory {@code (start, end)}; the class's
 * {@link Motion#attribute()} follows it over the clip (backwards for a reversed class), every other
 * attribute is frozen at its trajectory's value at a random frame {@code hold}. So the state of one
 * frame, at a uniformly random time, has the same distribution under every class: only the order of
 * frames tells the classes apart.
 *
 * @param motion the class
 * @param start start values (x, size, angle)
 * @param end end values (x, size, angle), each greater than its start
 * @param hold frame index at which each non-moving attribute is frozen (x, size, angle)
 * @param y centre y (fraction of the side), constant
 * @param background background RGB
 * @param foreground object RGB
 */
public record ClipParams(Motion motion, double[] start, double[] end, int[] hold, double y, int[] background, int[] foreground) {

    /** Ranges of the three attributes: x and size as fractions of the frame side, angle in degrees. */
    static final double[][] RANGE = {{0.2, 0.8}, {0.2, 0.7}, {0.0, 180.0}};
    /** Smallest and largest change over a clip, per attribute. */
    static final double[][] SPAN = {{0.3, 0.6}, {0.25, 0.5}, {50.0, 90.0}};

    /**
     * Draws the parameters of one clip.
     *
     * @param motion the class
     * @param frames frames per clip
     * @param rng random source
     * @return the parameters
     */
    public static ClipParams sample(Motion motion, int frames, RandomGenerator rng) {
        double[] s = new double[3];
        double[] e = new double[3];
        int[] hold = new int[3];
        for (int a = 0; a < 3; a++) {
            double span = SPAN[a][0] + rng.nextDouble() * (SPAN[a][1] - SPAN[a][0]);
            s[a] = RANGE[a][0] + rng.nextDouble() * (RANGE[a][1] - RANGE[a][0] - span);
            e[a] = s[a] + span;
            hold[a] = rng.nextInt(frames);
        }
        double y = 0.3 + 0.4 * rng.nextDouble();
        int[] bg = randomColour(rng);
        int[] fg;
        do {
            fg = randomColour(rng);
        } while (Math.abs(fg[0] - bg[0]) + Math.abs(fg[1] - bg[1]) + Math.abs(fg[2] - bg[2]) < 200);
        return new ClipParams(motion, s, e, hold, y, bg, fg);
    }

    /**
     * The same random draws with another class.
     *
     * @param other the class
     * @return a copy
     */
    public ClipParams withMotion(Motion other) {
        return new ClipParams(other, start, end, hold, y, background, foreground);
    }

    /**
     * The state of frame {@code t}: {x, size, angle}.
     *
     * @param t frame index
     * @param frames frames per clip
     * @return the state
     */
    public double[] state(int t, int frames) {
        double[] v = new double[3];
        int moving = motion.attribute().ordinal();
        for (int a = 0; a < 3; a++) {
            int time = a == moving ? (motion.reversed() ? frames - 1 - t : t) : hold[a];
            double f = frames == 1 ? 0 : time / (double) (frames - 1);
            v[a] = start[a] + (end[a] - start[a]) * f;
        }
        return v;
    }

    private static int[] randomColour(RandomGenerator rng) {
        return new int[] {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
    }
}
