package io.github.tsm4j.models.train;

/**
 * How one parameter array of a configured network is trained: the official recipe's parameter groups
 * (ordinary weights, biases, BatchNorm, classifier, frozen).
 *
 * @param layer layer name (torchvision path, e.g. {@code layer1.0.conv1}, {@code fc})
 * @param param DL4J parameter key ({@code W}, {@code b}, {@code gamma}, {@code beta}, {@code mean}, ...)
 * @param learningRate learning rate at iteration 0, epoch 0 (0 for frozen or non-trainable arrays)
 * @param weightDecay L2 coefficient applied to it (0 for none)
 * @param trainable whether the optimizer changes it (false for BatchNorm statistics and frozen layers)
 */
public record ParameterGroup(String layer, String param, double learningRate, double weightDecay, boolean trainable) {}
