package io.github.tsm4j.models.train;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

/**
 * The recipe's learning rate as an ND4J {@link ISchedule}: step decay or cosine per epoch, times a
 * per-parameter-group multiplier, with an optional linear warm-up over the first epochs (per
 * iteration: {@code lr · (i + 1) / (warmupEpochs · iterationsPerEpoch)}).
 *
 * <p>{@code valueAt(iteration, epoch)} receives the network's own iteration and epoch counters, which
 * are saved in every checkpoint, so a resumed run continues on the same curve.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class LearningRateSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    private LrPolicy policy;
    private double baseLr;
    private int epochs;
    private int[] steps;
    private double decay;
    private int warmupEpochs;
    private int iterationsPerEpoch;

    private LearningRateSchedule() {}

    /**
     * @param policy step or cosine
     * @param baseLr learning rate before decay (already scaled for batch size and multiplier)
     * @param epochs total epochs (cosine period)
     * @param steps epochs at which STEP multiplies by {@code decay}
     * @param decay factor per step
     * @param warmupEpochs epochs of linear warm-up, 0 for none
     * @param iterationsPerEpoch minibatches per epoch (needed when warmupEpochs &gt; 0)
     */
    public LearningRateSchedule(LrPolicy policy, double baseLr, int epochs, List<Integer> steps, double decay,
            int warmupEpochs, int iterationsPerEpoch) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.baseLr = baseLr;
        this.epochs = epochs;
        this.steps = steps.stream().mapToInt(Integer::intValue).toArray();
        this.decay = decay;
        this.warmupEpochs = warmupEpochs;
        this.iterationsPerEpoch = iterationsPerEpoch;
        if (warmupEpochs > 0 && iterationsPerEpoch < 1) {
            throw new IllegalArgumentException("LearningRateSchedule with warmupEpochs=" + warmupEpochs
                    + " needs iterationsPerEpoch >= 1, found " + iterationsPerEpoch);
        }
    }

    /**
     * @param multiplier factor for one parameter group (e.g. 5 for the new classifier's weights)
     * @return the same schedule scaled
     */
    public LearningRateSchedule times(double multiplier) {
        LearningRateSchedule s = clone();
        s.baseLr = baseLr * multiplier;
        return s;
    }

    /** @return the undecayed learning rate */
    public double baseLr() {
        return baseLr;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double lr = switch (policy) {
            case STEP -> {
                double f = 1;
                for (int s : steps) {
                    if (epoch >= s) {
                        f *= decay;
                    }
                }
                yield baseLr * f;
            }
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * epoch / epochs)) * baseLr;
        };
        long warmupIterations = (long) warmupEpochs * iterationsPerEpoch;
        if (iteration < warmupIterations) {
            lr *= (iteration + 1) / (double) warmupIterations;
        }
        return lr;
    }

    @Override
    public LearningRateSchedule clone() {
        LearningRateSchedule s = new LearningRateSchedule();
        s.policy = policy;
        s.baseLr = baseLr;
        s.epochs = epochs;
        s.steps = steps.clone();
        s.decay = decay;
        s.warmupEpochs = warmupEpochs;
        s.iterationsPerEpoch = iterationsPerEpoch;
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LearningRateSchedule s && s.policy == policy && Double.compare(s.baseLr, baseLr) == 0
                && s.epochs == epochs && Arrays.equals(s.steps, steps) && Double.compare(s.decay, decay) == 0
                && s.warmupEpochs == warmupEpochs && s.iterationsPerEpoch == iterationsPerEpoch;
    }

    @Override
    public int hashCode() {
        return Objects.hash(policy, baseLr, epochs, Arrays.hashCode(steps), decay, warmupEpochs, iterationsPerEpoch);
    }

    @Override
    public String toString() {
        return policy + "(lr=" + baseLr + ", epochs=" + epochs + ", steps=" + Arrays.toString(steps)
                + ", warmup=" + warmupEpochs + ")";
    }
}
