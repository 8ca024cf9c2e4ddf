package io.github.tsm4j.models.train;

/**
 * Callbacks from a running {@link Trainer}, for progress bars and logs. Called on the training thread;
 * keep them cheap.
 */
public interface TrainingProgress {
    /**
     * @param epoch 1-based epoch about to start
     * @param epochs total epochs
     */
    default void epochStarted(int epoch, int epochs) {}

    /**
     * After every minibatch.
     *
     * @param epoch 1-based epoch
     * @param batch 1-based minibatch index within the epoch
     * @param loss running mean loss of the epoch
     * @param accuracy running training accuracy of the epoch
     * @param clipsPerSecond running throughput
     */
    default void batchDone(int epoch, int batch, double loss, double accuracy, double clipsPerSecond) {}

    /** @param record the finished epoch, after validation and checkpoint */
    default void epochDone(EpochRecord record) {}

    /** A callback that does nothing. */
    TrainingProgress NONE = new TrainingProgress() {};
}
