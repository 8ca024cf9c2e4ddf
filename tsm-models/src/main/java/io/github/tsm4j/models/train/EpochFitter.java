package io.github.tsm4j.models.train;

import java.io.IOException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;

/**
 * Fits the minibatches of one training epoch. {@link Trainer} keeps everything around the epoch — recipe
 * and parameter groups ({@link ParameterGroups#configure}), random seed per epoch, validation
 * ({@link Evaluator}), checkpoints ({@code last.zip}/{@code best.zip}), the JSON-lines log and resume — and
 * delegates the minibatch loop to this interface: {@link Trainer#fit(org.nd4j.linalg.dataset.api.iterator.DataSetIterator)}
 * runs the epoch on this JVM from an iterator (features {@code [N·T, 3, H, W]}, one-hot labels
 * {@code [N, K]}); a distributed implementation (tsm-examples' Spark fitter) runs it on a cluster.
 */
public interface EpochFitter {

    /**
     * What one epoch did.
     *
     * @param loss mean minibatch loss (cross-entropy without the weight-decay penalty)
     * @param trainAccuracy top-1 accuracy on the training minibatches, NaN when not measured
     * @param clips training clips fitted
     * @param batches minibatches fitted (per worker when distributed)
     * @param gradientNorm global gradient norm of the last minibatch before clipping, NaN when not measured
     */
    record EpochStats(double loss, double trainAccuracy, long clips, int batches, double gradientNorm) {
        /** Validates the counts. */
        public EpochStats {
            if (clips < 1 || batches < 1) {
                throw new IllegalArgumentException("EpochStats: an epoch must fit at least one clip and one minibatch, "
                        + "found " + clips + " clips in " + batches + " minibatches");
            }
        }
    }

    /**
     * Fits one epoch. When this returns, {@code graph} must hold the epoch's parameters, updater state
     * (momentum buffers) and iteration count; the trainer then increments the epoch count.
     *
     * @param graph the network, configured with the recipe's updaters, schedule and regularisation
     * @param epoch 1-based epoch
     * @param clipping the recipe's global-norm gradient clipping as a (serialisable) listener: attach it to
     *     every network that computes gradients, before the updater runs
     * @param progress per-minibatch (or coarser) progress callback
     * @return the epoch's statistics
     * @throws IOException when training data cannot be read
     */
    EpochStats fitEpoch(ComputationGraph graph, int epoch, TrainingListener clipping, TrainingProgress progress)
            throws IOException;

    /**
     * @return minibatches (optimizer iterations) per epoch, used by the learning-rate warm-up; 0 when
     *     unknown (the trainer then refuses a recipe with warm-up)
     */
    int iterationsPerEpoch();
}
