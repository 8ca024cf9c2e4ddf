package io.github.tsm4j.models.recognize;

/**
 * How the scores of a video's views (clips × crops) are combined: the one view-averaging implementation of
 * tsm4j, used by {@link VideoRecognizer} and the {@link io.github.tsm4j.models.train.Evaluator}.
 */
public enum ScoreAveraging {
    /**
     * Mean of the raw scores (logits after the consensus), the official {@code test_models.py} default; the
     * reported probabilities are the softmax of that mean.
     */
    RAW_SCORES,
    /**
     * Mean of each view's softmax probabilities ({@code test_models.py --softmax}; mmaction2's
     * {@code average_clips='prob'}).
     */
    PROBABILITIES;

    /**
     * Averages the views of one video.
     *
     * @param logits raw scores, one row of K per view (at least one row, all of length K)
     * @return the averaged scores: mean logits for {@link #RAW_SCORES}, mean probabilities for {@link #PROBABILITIES}
     */
    public double[] average(float[][] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("ScoreAveraging: no views to average");
        }
        int k = logits[0].length;
        double[] sum = new double[k];
        for (float[] row : logits) {
            if (row.length != k) {
                throw new IllegalArgumentException("ScoreAveraging: views have " + k + " and " + row.length
                        + " scores");
            }
            double[] v = this == RAW_SCORES ? toDouble(row) : softmax(toDouble(row));
            for (int j = 0; j < k; j++) {
                sum[j] += v[j];
            }
        }
        for (int j = 0; j < k; j++) {
            sum[j] /= logits.length;
        }
        return sum;
    }

    /**
     * The class probabilities of averaged scores.
     *
     * @param averaged what {@link #average} returned
     * @return probabilities (a softmax for {@link #RAW_SCORES}; a copy for {@link #PROBABILITIES})
     */
    public double[] probabilities(double[] averaged) {
        return this == RAW_SCORES ? softmax(averaged) : averaged.clone();
    }

    private static double[] toDouble(float[] row) {
        double[] d = new double[row.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = row[i];
        }
        return d;
    }

    /**
     * Numerically stable softmax.
     *
     * @param logits scores of K classes
     * @return probabilities summing to 1
     */
    public static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
