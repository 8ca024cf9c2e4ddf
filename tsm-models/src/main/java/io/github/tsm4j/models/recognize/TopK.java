package io.github.tsm4j.models.recognize;

import io.github.tsm4j.models.Prediction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** The one top-k of tsm4j: classes ranked by score, highest first, ties broken by the lower class index. */
public final class TopK {
    private TopK() {}

    /**
     * @param probabilities one value per class
     * @param labels class names, index = class
     * @param k how many, 1 ≤ k ≤ K
     * @return k predictions, best first
     */
    public static List<Prediction> of(double[] probabilities, List<String> labels, int k) {
        if (probabilities.length != labels.size()) {
            throw new IllegalArgumentException("TopK: " + probabilities.length + " scores for " + labels.size()
                    + " labels");
        }
        if (k < 1 || k > probabilities.length) {
            throw new IllegalArgumentException("TopK: k must be in [1, " + probabilities.length + "], found " + k);
        }
        int[] order = order(probabilities);
        List<Prediction> top = new ArrayList<>(k);
        for (int r = 0; r < k; r++) {
            top.add(new Prediction(labels.get(order[r]), order[r], probabilities[order[r]]));
        }
        return List.copyOf(top);
    }

    /**
     * @param scores one value per class
     * @return class indices, highest score first, ties by index
     */
    public static int[] order(double[] scores) {
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param scores one value per class
     * @return the index of the highest (the lowest such index on ties), as {@code np.argmax}
     */
    public static int argMax(double[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }
}
