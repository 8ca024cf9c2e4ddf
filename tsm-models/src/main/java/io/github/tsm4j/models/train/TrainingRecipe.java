package io.github.tsm4j.models.train;

import java.util.List;
import java.util.Objects;

/**
 * The official TSM training recipe (the authors' {@code main.py} and training scripts), each value
 * overridable through {@link #builder()}.
 *
 * <p>Defaults (Something-Something, 8 segments): {@value #DEFAULT_EPOCHS} epochs, batch
 * {@value #DEFAULT_BATCH_SIZE}, learning rate {@value #DEFAULT_LEARNING_RATE} per
 * {@value #DEFAULT_REFERENCE_BATCH_SIZE} clips (the rate used is scaled linearly with the batch size:
 * {@link #effectiveLearningRate()}), SGD momentum {@value #DEFAULT_MOMENTUM} (PyTorch form, see
 * {@link SgdMomentum}), ×0.1 at epochs 20 and 40, no warm-up, weight decay {@value #DEFAULT_WEIGHT_DECAY}
 * on weights only (none on BatchNorm parameters and biases), gradients clipped to a global L2 norm of
 * {@value #DEFAULT_CLIP_GRADIENT_NORM}, biases at ×2 the learning rate, full BatchNorm (the official
 * commands pass {@code --npb}). With {@code fineTune}, the classifier ({@value #DEFAULT_CLASSIFIER_LAYER})
 * learns at ×5 (weights) and ×10 (bias), as the official code does when tuning from another dataset.
 * Dropout before the classifier (0.5) belongs to the model configuration.
 *
 * @param epochs total epochs, at least 1
 * @param batchSize clips per minibatch N (the iterator must deliver it)
 * @param learningRate learning rate for {@code referenceBatchSize} clips
 * @param referenceBatchSize batch size at which {@code learningRate} applies
 * @param momentum SGD momentum μ in [0, 1)
 * @param lrPolicy step or cosine decay
 * @param lrSteps epochs at which STEP multiplies the rate by {@code lrDecay}, ascending
 * @param lrDecay factor per step, in (0, 1]
 * @param warmupEpochs epochs of linear warm-up (per iteration), 0 for none
 * @param weightDecay coupled L2 coefficient on weights, at least 0
 * @param clipGradientNorm maximum global L2 norm of the gradient; 0 disables clipping
 * @param biasLrMultiplier learning-rate factor for biases (official: 2)
 * @param fineTune apply the classifier multipliers below
 * @param classifierLayer name of the classifier layer
 * @param classifierWeightLrMultiplier classifier weight factor when fine-tuning (5)
 * @param classifierBiasLrMultiplier classifier bias factor when fine-tuning (10)
 * @param partialBatchNorm freeze every BatchNorm layer but the first (statistics and affine parameters)
 * @param seed seed for dropout and any shuffling, re-applied at every epoch (exact resume)
 */
public record TrainingRecipe(
        int epochs,
        int batchSize,
        double learningRate,
        int referenceBatchSize,
        double momentum,
        LrPolicy lrPolicy,
        List<Integer> lrSteps,
        double lrDecay,
        int warmupEpochs,
        double weightDecay,
        double clipGradientNorm,
        double biasLrMultiplier,
        boolean fineTune,
        String classifierLayer,
        double classifierWeightLrMultiplier,
        double classifierBiasLrMultiplier,
        boolean partialBatchNorm,
        long seed) {

    public static final int DEFAULT_EPOCHS = 50;
    public static final int DEFAULT_BATCH_SIZE = 64;
    public static final double DEFAULT_LEARNING_RATE = 0.01;
    public static final int DEFAULT_REFERENCE_BATCH_SIZE = 64;
    public static final double DEFAULT_MOMENTUM = 0.9;
    public static final List<Integer> DEFAULT_LR_STEPS = List.of(20, 40);
    public static final double DEFAULT_LR_DECAY = 0.1;
    public static final double DEFAULT_WEIGHT_DECAY = 5e-4;
    public static final double DEFAULT_CLIP_GRADIENT_NORM = 20;
    public static final double DEFAULT_BIAS_LR_MULTIPLIER = 2;
    public static final String DEFAULT_CLASSIFIER_LAYER = "fc";
    public static final double DEFAULT_CLASSIFIER_WEIGHT_LR_MULTIPLIER = 5;
    public static final double DEFAULT_CLASSIFIER_BIAS_LR_MULTIPLIER = 10;
    public static final long DEFAULT_SEED = 42;

    public TrainingRecipe {
        Objects.requireNonNull(lrPolicy, "TrainingRecipe.lrPolicy");
        Objects.requireNonNull(classifierLayer, "TrainingRecipe.classifierLayer");
        lrSteps = List.copyOf(lrSteps);
        positive("epochs", epochs);
        positive("batchSize", batchSize);
        positive("referenceBatchSize", referenceBatchSize);
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("TrainingRecipe.learningRate must be > 0, found " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("TrainingRecipe.momentum must be in [0, 1), found " + momentum);
        }
        if (!(lrDecay > 0 && lrDecay <= 1)) {
            throw new IllegalArgumentException("TrainingRecipe.lrDecay must be in (0, 1], found " + lrDecay);
        }
        for (int i = 0; i < lrSteps.size(); i++) {
            if (lrSteps.get(i) < 1 || (i > 0 && lrSteps.get(i) <= lrSteps.get(i - 1))) {
                throw new IllegalArgumentException(
                        "TrainingRecipe.lrSteps must be ascending epochs >= 1, found " + lrSteps);
            }
        }
        if (warmupEpochs < 0) {
            throw new IllegalArgumentException("TrainingRecipe.warmupEpochs must be >= 0, found " + warmupEpochs);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("TrainingRecipe.weightDecay must be >= 0, found " + weightDecay);
        }
        if (!(clipGradientNorm >= 0)) {
            throw new IllegalArgumentException(
                    "TrainingRecipe.clipGradientNorm must be >= 0 (0 = off), found " + clipGradientNorm);
        }
        for (double m : new double[] {biasLrMultiplier, classifierWeightLrMultiplier, classifierBiasLrMultiplier}) {
            if (!(m > 0)) {
                throw new IllegalArgumentException("TrainingRecipe learning-rate multipliers must be > 0, found "
                        + biasLrMultiplier + ", " + classifierWeightLrMultiplier + ", " + classifierBiasLrMultiplier);
            }
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("TrainingRecipe." + name + " must be >= 1, found " + value);
        }
    }

    /** @return the learning rate scaled linearly with the batch size: {@code lr · batchSize / referenceBatchSize} */
    public double effectiveLearningRate() {
        return learningRate * batchSize / referenceBatchSize;
    }

    /**
     * The learning-rate schedule for one parameter group.
     *
     * @param multiplier group factor (1 for ordinary weights)
     * @param iterationsPerEpoch minibatches per epoch (used by the warm-up only)
     * @return the schedule
     */
    public LearningRateSchedule schedule(double multiplier, int iterationsPerEpoch) {
        return new LearningRateSchedule(lrPolicy, effectiveLearningRate() * multiplier, epochs, lrSteps, lrDecay,
                warmupEpochs, iterationsPerEpoch);
    }

    /** @return a builder with the official defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this recipe's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.epochs = epochs;
        b.batchSize = batchSize;
        b.learningRate = learningRate;
        b.referenceBatchSize = referenceBatchSize;
        b.momentum = momentum;
        b.lrPolicy = lrPolicy;
        b.lrSteps = lrSteps;
        b.lrDecay = lrDecay;
        b.warmupEpochs = warmupEpochs;
        b.weightDecay = weightDecay;
        b.clipGradientNorm = clipGradientNorm;
        b.biasLrMultiplier = biasLrMultiplier;
        b.fineTune = fineTune;
        b.classifierLayer = classifierLayer;
        b.classifierWeightLrMultiplier = classifierWeightLrMultiplier;
        b.classifierBiasLrMultiplier = classifierBiasLrMultiplier;
        b.partialBatchNorm = partialBatchNorm;
        b.seed = seed;
        return b;
    }

    /** Builder with the official defaults; {@link #build()} validates. */
    public static final class Builder {
        private int epochs = DEFAULT_EPOCHS;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private double learningRate = DEFAULT_LEARNING_RATE;
        private int referenceBatchSize = DEFAULT_REFERENCE_BATCH_SIZE;
        private double momentum = DEFAULT_MOMENTUM;
        private LrPolicy lrPolicy = LrPolicy.STEP;
        private List<Integer> lrSteps = DEFAULT_LR_STEPS;
        private double lrDecay = DEFAULT_LR_DECAY;
        private int warmupEpochs = 0;
        private double weightDecay = DEFAULT_WEIGHT_DECAY;
        private double clipGradientNorm = DEFAULT_CLIP_GRADIENT_NORM;
        private double biasLrMultiplier = DEFAULT_BIAS_LR_MULTIPLIER;
        private boolean fineTune = false;
        private String classifierLayer = DEFAULT_CLASSIFIER_LAYER;
        private double classifierWeightLrMultiplier = DEFAULT_CLASSIFIER_WEIGHT_LR_MULTIPLIER;
        private double classifierBiasLrMultiplier = DEFAULT_CLASSIFIER_BIAS_LR_MULTIPLIER;
        private boolean partialBatchNorm = false;
        private long seed = DEFAULT_SEED;

        private Builder() {}

        public Builder epochs(int v) { epochs = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        /** @param v learning rate at {@code referenceBatchSize} clips */
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder referenceBatchSize(int v) { referenceBatchSize = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder lrPolicy(LrPolicy v) { lrPolicy = v; return this; }
        public Builder lrSteps(List<Integer> v) { lrSteps = v; return this; }
        public Builder lrDecay(double v) { lrDecay = v; return this; }
        public Builder warmupEpochs(int v) { warmupEpochs = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        /** @param v maximum global gradient norm, 0 to disable */
        public Builder clipGradientNorm(double v) { clipGradientNorm = v; return this; }
        public Builder biasLrMultiplier(double v) { biasLrMultiplier = v; return this; }
        public Builder fineTune(boolean v) { fineTune = v; return this; }
        public Builder classifierLayer(String v) { classifierLayer = v; return this; }
        public Builder classifierWeightLrMultiplier(double v) { classifierWeightLrMultiplier = v; return this; }
        public Builder classifierBiasLrMultiplier(double v) { classifierBiasLrMultiplier = v; return this; }
        public Builder partialBatchNorm(boolean v) { partialBatchNorm = v; return this; }
        public Builder seed(long v) { seed = v; return this; }

        /** @return the validated recipe */
        public TrainingRecipe build() {
            return new TrainingRecipe(epochs, batchSize, learningRate, referenceBatchSize, momentum, lrPolicy, lrSteps,
                    lrDecay, warmupEpochs, weightDecay, clipGradientNorm, biasLrMultiplier, fineTune, classifierLayer,
                    classifierWeightLrMultiplier, classifierBiasLrMultiplier, partialBatchNorm, seed);
        }
    }
}
