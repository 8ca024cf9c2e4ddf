package io.github.tsm4j.models.train;

import java.util.List;

/**
 * The prediction for one video after averaging the scores of its views.
 *
 * @param videoId video identifier (from the iterator's example metadata, or a running index)
 * @param label true class index
 * @param predicted arg-max class index of the averaged scores
 * @param views number of views (clips × crops) averaged
 * @param scores averaged class probabilities, length K
 */
public record VideoPrediction(String videoId, int label, int predicted, int views, List<Double> scores) {
    public VideoPrediction {
        scores = List.copyOf(scores);
    }

    /**
     * @param k how many
     * @return class indices of the k highest scores, best first (ties: lower index first)
     */
    public int[] topK(int k) {
        int n = Math.min(k, scores.size());
        int[] best = new int[n];
        boolean[] used = new boolean[scores.size()];
        for (int i = 0; i < n; i++) {
            int arg = -1;
            for (int c = 0; c < scores.size(); c++) {
                if (!used[c] && (arg < 0 || scores.get(c) > scores.get(arg))) {
                    arg = c;
                }
            }
            used[arg] = true;
            best[i] = arg;
        }
        return best;
    }
}
