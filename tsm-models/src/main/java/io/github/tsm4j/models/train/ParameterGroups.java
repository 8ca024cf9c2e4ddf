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
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Applies a {@link TrainingRecipe}'s parameter groups to a network and reports them.
 *
 * <p>Groups, as in the official {@code get_optim_policies}: weights of convolutions and dense layers get
 * the base rate and weight decay; biases get {@code biasLrMultiplier}× the rate and no decay; BatchNorm
 * γ/β get the base rate and no decay (their running statistics are not trained); with
 * {@code fineTune}, the classifier's weights and bias get ×5 and ×10. With {@code partialBatchNorm},
 * every BatchNorm layer but the first in topological order is wrapped in DL4J's
 * {@link FrozenLayerWithBackprop}: it normalises with its stored statistics during training (PyTorch's
 * {@code eval()} mode), passes gradients through and never changes its parameters.
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
                    lv.getLayerConf().setLayer(new FrozenLayerWithBackprop(bn));
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
                    || conf instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
            for (String param : layer.paramTable().keySet()) {
                IUpdater updater = conf.getUpdaterByParam(param);
                boolean trainable = !frozen && layer.updaterDivideByMinibatch(param)
                        && !(updater instanceof org.nd4j.linalg.learning.config.NoOp);
                double lr = trainable && updater != null && updater.hasLearningRate() ? updater.getLearningRate(0, 0) : 0;
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
