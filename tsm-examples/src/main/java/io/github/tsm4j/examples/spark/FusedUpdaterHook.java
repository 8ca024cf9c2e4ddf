package io.github.tsm4j.examples.spark;

import io.github.tsm4j.models.train.FusedGraphUpdater;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Runs on the workers of DL4J's parameter averaging: before each worker minibatch, installs the
 * {@link FusedGraphUpdater} on the worker's copy of the network (DL4J builds that copy itself, with its own updater,
 * from the broadcast parameters and updater state; the fused one keeps that state), so the workers step as fast as
 * single-machine training, with bit-identical updates. After each minibatch it adds the steps that ran fused to a
 * Spark accumulator the driver reads ({@link SparkEpochFitter#lastFusedWorkerSteps()}).
 */
final class FusedUpdaterHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    private final LongAccumulator fusedSteps;
    private transient FusedGraphUpdater seen;
    private transient long seenSteps;

    /** @param fusedSteps receives the worker steps that ran fused */
    FusedUpdaterHook(LongAccumulator fusedSteps) {
        this.fusedSteps = fusedSteps;
    }

    private void before(Model model) {
        if (model instanceof ComputationGraph g) {
            FusedGraphUpdater f = FusedGraphUpdater.install(g);
            if (f != seen) {
                seen = f;
                seenSteps = f.fusedSteps();
            }
        }
    }

    private void after() {
        if (seen != null) {
            long now = seen.fusedSteps();
            fusedSteps.add(now - seenSteps);
            seenSteps = now;
        }
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        before(model);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        after();
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        before(model);
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        after();
    }
}
