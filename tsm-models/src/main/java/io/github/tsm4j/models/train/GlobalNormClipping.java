package io.github.tsm4j.models.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Clips the gradient by its global L2 norm over all trainable parameters, as PyTorch's
 * {@code clip_grad_norm_(params, max_norm)}: with {@code total = sqrt(Σ ‖g_p‖²)} over the
 * minibatch-averaged gradients, every gradient is multiplied by {@code max_norm / (total + 1e-6)} when
 * that is below 1. (DL4J's own {@code GradientNormalization} clips each layer separately.)
 *
 * <p>Runs in {@code onGradientCalculation}, after backpropagation and before the updater; DL4J's
 * gradients are still summed over the minibatch there (the updater divides by N afterwards), so the
 * norm is computed on {@code g / N}. BatchNorm running statistics, which travel in the same gradient
 * array but are not trained, are excluded.
 *
 * <p>Serialisable, so that a distributed {@link EpochFitter} can ship it to the workers that compute the
 * gradients (each worker then clips its own minibatch gradient).
 */
final class GlobalNormClipping extends BaseTrainingListener implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final double maxNorm;
    private double lastNorm = Double.NaN;

    GlobalNormClipping(double maxNorm) {
        this.maxNorm = maxNorm;
    }

    /** @return the global norm (minibatch-averaged, before clipping) seen at the last iteration */
    double lastNorm() {
        return lastNorm;
    }

    @Override
    public void onGradientCalculation(Model model) {
        ComputationGraph graph = (ComputationGraph) model;
        Gradient gradient = graph.gradient();
        List<INDArray> trainable = new ArrayList<>();
        double sumSquares = 0;
        for (Map.Entry<String, INDArray> e : gradient.gradientForVariable().entrySet()) {
            String key = e.getKey();
            int cut = key.lastIndexOf('_');
            org.deeplearning4j.nn.api.Layer layer = graph.getLayer(key.substring(0, cut));
            if (layer == null || !layer.updaterDivideByMinibatch(key.substring(cut + 1))) {
                continue;
            }
            sumSquares += io.github.tsm4j.core.HostVectors.sumOfSquares(e.getValue());
            trainable.add(e.getValue());
        }
        int batch = graph.batchSize();
        lastNorm = Math.sqrt(sumSquares) / batch;
        if (maxNorm > 0) {
            double coefficient = maxNorm / (lastNorm + 1e-6);
            if (coefficient < 1) {
                for (INDArray g : trainable) {
                    g.muli(coefficient);
                }
            }
        }
    }
}
