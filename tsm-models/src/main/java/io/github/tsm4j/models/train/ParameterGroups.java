package io.github.tsm4j.models.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Applies a {@link TrainingRecipe}'s parameter groups to a network and reports them.
 *
 * <p>Groups, as in the official {@code get_optim_policies}: weights of convolutions and dense layers get
 * the base rate and weight decay; biases get {@code biasLrMultiplier}× the rate and no decay; BatchNorm
 * γ/β get the base rate and no decay (their running statistics are not trained); with
 * {@code fineTune}, the classifier's weights and bias get ×5 and ×10.
 *
 * <p>With {@code partialBatchNorm}, every BatchNorm layer but the first in topological order keeps its
 * γ, β and running statistics fixed (learning rate 0, statistics momentum 1). Difference from PyTorch: the
 * official code also puts those layers in {@code eval()} mode, so they normalise with the stored
 * statistics during training; here they still normalise with the minibatch statistics, because DL4J
 * 1.0.0-M2.1's BatchNormalization cannot backpropagate after an inference-mode forward pass (wrapping it
 * in {@link FrozenLayerWithBackprop} fails with an outdated-workspace error in {@code backpropGradient}).
 */
public final class ParameterGroups {
    private ParameterGroups() {}

    /**
     * Builds a new network with the recipe's updaters, regularisation and frozen layers, holding a copy
     * of {@code source}'s parameters, iteration and epoch counters. Workspaces are enabled for training
     * and inference.
     *
     * @param source network with initialised parameters (not changed)
     * @param recipe training recipe
     * @param iterationsPerEpoch minibatches per epoch (for the warm-up; any value &gt;= 1 without warm-up)
     * @return the network ready for {@link Trainer}
     */
    public static ComputationGraph configure(ComputationGraph source, TrainingRecipe recipe, int iterationsPerEpoch) {
        ComputationGraphConfiguration conf = source.getConfiguration().clone();
        Map<String, GraphVertex> vertices = conf.getVertices();
        boolean classifierFound = false;
        boolean firstBatchNorm = true;
        int[] order = source.topologicalSortOrder();
        org.deeplearning4j.nn.graph.vertex.GraphVertex[] runtime = source.getVertices();
        for (int index : order) {
            String name = runtime[index].getVertexName();
            if (!(vertices.get(name) instanceof LayerVertex lv)) {
                continue;
            }
            org.deeplearning4j.nn.conf.layers.Layer layer = lv.getLayerConf().getLayer();
            if (layer instanceof FrozenLayerWithBackprop) {
                continue;
            }
            if (!(layer instanceof BaseLayer base)) {
                continue;
            }
            boolean classifier = name.equals(recipe.classifierLayer());
            classifierFound |= classifier;
            double weightMultiplier = classifier && recipe.fineTune() ? recipe.classifierWeightLrMultiplier() : 1;
            double biasMultiplier = classifier && recipe.fineTune()
                    ? recipe.classifierBiasLrMultiplier() : recipe.biasLrMultiplier();
            base.setIUpdater(new SgdMomentum(recipe.schedule(weightMultiplier, iterationsPerEpoch), recipe.momentum()));
            base.setBiasUpdater(new SgdMomentum(recipe.schedule(biasMultiplier, iterationsPerEpoch), recipe.momentum()));
            base.setRegularization(recipe.weightDecay() > 0
                    ? new ArrayList<>(List.of(new L2Regularization(recipe.weightDecay()))) : new ArrayList<>());
            base.setRegularizationBias(new ArrayList<>());
            if (layer instanceof BatchNormalization bn) {
                if (recipe.partialBatchNorm() && !firstBatchNorm) {
                    // NoOp would pass the raw gradient through as the step; a zero rate makes the step 0
                    bn.setIUpdater(new Sgd(0.0));
                    bn.setBiasUpdater(new Sgd(0.0));
                    bn.setDecay(1.0);
                }
                firstBatchNorm = false;
            }
        }
        if (!classifierFound) {
            throw new IllegalArgumentException("TrainingRecipe.classifierLayer '" + recipe.classifierLayer()
                    + "' is not a layer with parameters of this network; layers: " + conf.getVertices().keySet());
        }
        conf.setTrainingWorkspaceMode(WorkspaceMode.ENABLED);
        conf.setInferenceWorkspaceMode(WorkspaceMode.ENABLED);
        conf.setCacheMode(CacheMode.NONE);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init(source.params().dup(), false);
        graph.getConfiguration().setIterationCount(source.getIterationCount());
        graph.getConfiguration().setEpochCount(source.getEpochCount());
        return graph;
    }

    /**
     * Lists every parameter array of a network with its learning rate, weight decay and trainability,
     * in topological order.
     *
     * @param graph a network (typically from {@link #configure})
     * @return one entry per layer parameter
     */
    public static List<ParameterGroup> describe(ComputationGraph graph) {
        List<ParameterGroup> groups = new ArrayList<>();
        for (int index : graph.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex v = graph.getVertices()[index];
            if (!v.hasLayer()) {
                continue;
            }
            Layer layer = v.getLayer();
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            boolean frozen = conf instanceof FrozenLayerWithBackprop
                    || conf instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer
                    || layer instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop
                    || layer instanceof org.deeplearning4j.nn.layers.FrozenLayer;
            for (String param : layer.paramTable().keySet()) {
                IUpdater updater = conf.getUpdaterByParam(param);
                double lr = updater != null && updater.hasLearningRate() ? updater.getLearningRate(0, 0) : 0;
                boolean trainable = !frozen && layer.updaterDivideByMinibatch(param) && lr > 0;
                lr = trainable ? lr : 0;
                double wd = 0;
                List<Regularization> regs = conf.getRegularizationByParam(param);
                if (trainable && regs != null) {
                    for (Regularization r : regs) {
                        if (r instanceof L2Regularization l2) {
                            wd += l2.getL2().valueAt(0, 0);
                        }
                    }
                }
                groups.add(new ParameterGroup(v.getVertexName(), param, lr, wd, trainable));
            }
        }
        return groups;
    }
}
