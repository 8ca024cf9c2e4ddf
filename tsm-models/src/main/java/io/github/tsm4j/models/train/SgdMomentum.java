package io.github.tsm4j.models.train;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

/**
 * SGD with momentum exactly as PyTorch's {@code torch.optim.SGD(momentum=μ, dampening=0,
 * nesterov=False)} computes it, which the official TSM code uses:
 *
 * <pre>
 *   buf ← μ·buf + g        (buf starts at 0, so the first step has buf = g)
 *   p   ← p − lr·buf
 * </pre>
 *
 * <p>DL4J ships only {@code Nesterovs}, which keeps {@code v ← μ·v − lr·g} (the learning rate inside the
 * buffer) and takes a Nesterov look-ahead step; the two differ whenever the learning rate changes and
 * in every step. Weight decay (coupled L2, {@code g ← g + wd·p}) is added by DL4J's
 * {@code L2Regularization} before this updater runs, as PyTorch adds it before the momentum.
 *
 * <p>The learning rate comes from an {@link ISchedule} evaluated at (iteration, epoch) of the network.
 * The updater state is one buffer the size of the parameters.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class SgdMomentum implements IUpdater {
    private static final long serialVersionUID = 1L;

    /** Key of the momentum buffer in the updater state. */
    public static final String BUFFER_STATE = "momentumBuffer";

    private double learningRate;
    private ISchedule schedule;
    private double momentum;

    /** For Jackson (DL4J serialises updater configurations by field). */
    private SgdMomentum() {}

    /**
     * @param schedule learning rate by (iteration, epoch)
     * @param momentum μ in [0, 1)
     */
    public SgdMomentum(ISchedule schedule, double momentum) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.learningRate = Double.NaN;
        this.momentum = checkMomentum(momentum);
    }

    /**
     * @param learningRate constant learning rate, positive
     * @param momentum μ in [0, 1)
     */
    public SgdMomentum(double learningRate, double momentum) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("SgdMomentum learningRate must be > 0, found " + learningRate);
        }
        this.learningRate = learningRate;
        this.momentum = checkMomentum(momentum);
    }

    private static double checkMomentum(double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SgdMomentum momentum must be in [0, 1), found " + momentum);
        }
        return momentum;
    }

    /** @return μ */
    public double momentum() {
        return momentum;
    }

    /** @return the schedule, or null for a constant rate */
    public ISchedule schedule() {
        return schedule;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        SgdMomentumUpdater u = new SgdMomentumUpdater(this);
        long[] shape = viewArray.shape();
        u.setStateViewArray(viewArray, shape, viewArray.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        SgdMomentumUpdater u = new SgdMomentumUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public SgdMomentum clone() {
        SgdMomentum c = new SgdMomentum();
        c.learningRate = learningRate;
        c.schedule = schedule == null ? null : schedule.clone();
        c.momentum = momentum;
        return c;
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return schedule != null ? schedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.schedule = lrSchedule;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SgdMomentum s
                && Double.compare(s.learningRate, learningRate) == 0
                && Double.compare(s.momentum, momentum) == 0
                && Objects.equals(s.schedule, schedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, momentum, schedule);
    }

    @Override
    public String toString() {
        return "SgdMomentum(momentum=" + momentum + ", lr=" + (schedule != null ? schedule : learningRate) + ")";
    }
}
