package io.github.tsm4j.models.train;

/**
 * One line of the training log ({@code training.jsonl}): what one epoch did.
 *
 * @param epoch 1-based epoch number
 * @param learningRate base learning rate at the end of the epoch (multiplier 1 group)
 * @param loss mean training loss (cross-entropy, without the weight-decay penalty) over the epoch's minibatches
 * @param trainAccuracy top-1 accuracy on the training minibatches (training mode, with dropout)
 * @param valTop1 validation top-1, or null without validation data
 * @param valTop5 validation top-5, or null
 * @param clipsPerSecond training throughput (clips, not frames)
 * @param seconds wall time of the epoch including validation and checkpoint
 * @param gradientNorm global gradient norm of the last minibatch (before clipping)
 */
public record EpochRecord(int epoch, double learningRate, double loss, double trainAccuracy, Double valTop1,
        Double valTop5, double clipsPerSecond, double seconds, double gradientNorm) {}
