package io.github.tsm4j.examples.cli;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.examples.spark.SparkEpochFitter;
import io.github.tsm4j.models.train.Trainer;
import io.github.tsm4j.models.train.TrainingRecipe;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The Spark half of {@code tsm train --spark-master}: kept in its own class so that {@link TrainCommand} loads
 * without Spark on the class path (the default tsm.jar) and only this class needs it.
 */
final class SparkTraining {
    private SparkTraining() {}

    /** Fails with a clear message when Spark is not on the class path. */
    static void requireSpark() {
        try {
            Class.forName("org.apache.spark.SparkConf", false, SparkTraining.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Spark is not on the class path: run tsm.jar with spark-submit, or build it "
                    + "with 'mvn -Pspark-bundle package' (docs/distributed.md)", e);
        }
    }

    /**
     * Trains every remaining epoch of {@code builder}'s run with the epochs fitted on Spark.
     *
     * @param builder the trainer (recipe, validation, checkpoints) exactly as for single-machine training
     * @param train training rows
     * @param input the network's input
     * @param recipe the run's recipe (its batch size is the global minibatch)
     * @param s Spark settings
     * @param out summary lines
     * @return the training result
     * @throws IOException when checkpoints cannot be written
     */
    static Trainer.TrainingResult fit(Trainer.Builder builder, VideoDataset train, InputSpec input,
            TrainingRecipe recipe, TrainCommand.SparkSettings s, PrintWriter out) throws IOException {
        requireSpark();
        try (SparkEpochFitter fitter = SparkEpochFitter.builder(train, input, recipe.batchSize())
                .master(TrainCommand.SparkSettings.DEFAULT_MASTER.equals(s.master()) ? null : s.master())
                .workers(s.workers()).approach(switch (s.approach()) {
                    case PARAMETER_AVERAGING -> SparkEpochFitter.Approach.PARAMETER_AVERAGING;
                    case SHARED_GRADIENTS -> SparkEpochFitter.Approach.SHARED_GRADIENTS;
                }).averagingFrequency(s.averagingFrequency())
                .threshold(s.threshold()).unicastPort(s.port()).seed(recipe.seed()).build()) {
            out.printf(Locale.ROOT, "Spark %s: %d workers x %d clips per step (global batch %d), %s%n",
                    s.master(), fitter.workers(), fitter.batchSizePerWorker(), recipe.batchSize(), s.approach());
            out.flush();
            return builder.build().fit(fitter);
        }
    }
}
