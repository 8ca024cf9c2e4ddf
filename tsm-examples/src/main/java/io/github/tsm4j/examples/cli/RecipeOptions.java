package io.github.tsm4j.examples.cli;

import io.github.tsm4j.models.train.LrPolicy;
import io.github.tsm4j.models.train.TrainingRecipe;
import java.util.List;
import picocli.CommandLine.Option;

/** The training-recipe flags of {@code tsm train} (defaults: the official recipe, {@link TrainingRecipe}). */
final class RecipeOptions {
    @Option(names = "--epochs", defaultValue = "" + TrainingRecipe.DEFAULT_EPOCHS, description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "" + TrainingRecipe.DEFAULT_BATCH_SIZE,
            description = "Clips per minibatch; the learning rate scales with it (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "" + TrainingRecipe.DEFAULT_LEARNING_RATE,
            description = "Learning rate per --lr-batch clips (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--lr-batch", defaultValue = "" + TrainingRecipe.DEFAULT_REFERENCE_BATCH_SIZE,
            description = "Batch size at which --lr applies (default: ${DEFAULT-VALUE}).")
    int referenceBatchSize;

    @Option(names = "--lr-policy", defaultValue = "STEP", description = "STEP or COSINE (default: ${DEFAULT-VALUE}).")
    LrPolicy lrPolicy;

    @Option(names = "--lr-steps", split = ",", defaultValue = "20,40",
            description = "Epochs at which STEP multiplies the rate by 0.1 (default: ${DEFAULT-VALUE}).")
    List<Integer> lrSteps;

    @Option(names = "--warmup", defaultValue = "0", description = "Linear warm-up epochs (default: ${DEFAULT-VALUE}).")
    int warmupEpochs;

    @Option(names = "--momentum", defaultValue = "" + TrainingRecipe.DEFAULT_MOMENTUM, description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--wd", defaultValue = "" + TrainingRecipe.DEFAULT_WEIGHT_DECAY,
            description = "Weight decay on weights (none on BatchNorm and biases; default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--clip-gradient", defaultValue = "" + TrainingRecipe.DEFAULT_CLIP_GRADIENT_NORM,
            description = "Maximum global gradient L2 norm, 0 = off (default: ${DEFAULT-VALUE}).")
    double clipGradientNorm;

    @Option(names = "--fine-tune", description = "Classifier learns at x5 (weights) and x10 (bias).")
    boolean fineTune;

    @Option(names = "--partial-bn", description = "Freeze every BatchNorm layer but the first.")
    boolean partialBatchNorm;

    @Option(names = "--seed", defaultValue = "" + TrainingRecipe.DEFAULT_SEED, description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    TrainingRecipe recipe() {
        return TrainingRecipe.builder().epochs(epochs).batchSize(batchSize).learningRate(learningRate)
                .referenceBatchSize(referenceBatchSize).lrPolicy(lrPolicy)
                .lrSteps(lrPolicy == LrPolicy.COSINE ? List.of() : lrSteps).warmupEpochs(warmupEpochs)
                .momentum(momentum).weightDecay(weightDecay).clipGradientNorm(clipGradientNorm).fineTune(fineTune)
                .partialBatchNorm(partialBatchNorm).seed(seed).build();
    }
}
