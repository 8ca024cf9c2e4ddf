package io.github.tsm4j.models;

/**
 * One entry of a top-k prediction.
 *
 * @param label the class label
 * @param index the class index in {@code [0, K)}
 * @param probability the softmax probability in [0, 1]
 */
public record Prediction(String label, int index, double probability) {
}
