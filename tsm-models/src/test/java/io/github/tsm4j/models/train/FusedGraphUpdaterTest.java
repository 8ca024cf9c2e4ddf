package io.github.tsm4j.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmNetworks;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The fused updater against DL4J's own on the same network, parameters and minibatches: parameters and updater
 * state equal bit for bit after several steps, for the configurations the pass implements (Nesterov with weight
 * decay as {@code tsm bench} trains, the recipe's parameter groups with SGD momentum and L2 as the {@code Trainer}
 * and {@code tsm demo} train, frozen BatchNorm, plain SGD); every other configuration falls back to DL4J's updater
 * with a reason, and still trains identically.
 */
class FusedGraphUpdaterTest {

    private static final int SIZE = 16;
    private static final int CLASSES = 3;

    private static ComputationGraphConfiguration conf(NeuralNetConfiguration.Builder globals, DataType type) {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, CLASSES).segments(2).inputSize(SIZE, SIZE)
                .baseWidth(4).foldDiv(4).dropout(0).dataFormat(CNN2DFormat.NHWC).build();
        return TsmNetworks.offline(config, globals.dataType(type), ExecutionOptions.defaults());
    }

    /** Two networks of one configuration holding the same parameters. */
    private static ComputationGraph[] twins(ComputationGraphConfiguration conf) {
        ComputationGraph a = new ComputationGraph(conf.clone());
        a.init();
        ComputationGraph b = new ComputationGraph(conf.clone());
        b.init(a.params().dup(), false);
        return new ComputationGraph[] {a, b};
    }

    private static List<DataSet> batches(DataType type, int count) {
        Nd4j.getRandom().setSeed(11);
        List<DataSet> list = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            INDArray y = Nd4j.zeros(type, 3, CLASSES);
            for (int c = 0; c < 3; c++) {
                y.putScalar(c, (c + i) % CLASSES, 1);
            }
            list.add(new DataSet(Nd4j.randn(type, 6, 3, SIZE, SIZE), y));
        }
        return list;
    }

    private static void fit(ComputationGraph g, List<DataSet> batches) {
        for (DataSet d : batches) {
            g.fit(d);
        }
    }

    private static void assertSameTraining(ComputationGraph dl4j, ComputationGraph fused) {
        float[] expected = dl4j.params().toFloatVector();
        assertArrayEquals(expected, fused.params().toFloatVector(), "parameters");
        INDArray state = dl4j.getUpdater().getStateViewArray();
        if (state == null) {
            assertEquals(null, fused.getUpdater().getStateViewArray(), "no updater state");
        } else {
            assertArrayEquals(state.toFloatVector(), fused.getUpdater().getStateViewArray().toFloatVector(),
                    "updater state");
        }
        assertEquals(dl4j.score(), fused.score(), "loss of the last step");
    }

    /** Trains both twins on the same minibatches (the second with the fused updater) and compares them. */
    private static FusedGraphUpdater trainBoth(ComputationGraphConfiguration conf, int steps) {
        ComputationGraph[] t = twins(conf);
        INDArray initial = t[0].params().dup();
        FusedGraphUpdater fused = FusedGraphUpdater.install(t[1]);
        List<DataSet> data = batches(conf.getDefaultConfiguration().getDataType(), steps);
        fit(t[0], data);
        fit(t[1], data);
        assertSameTraining(t[0], t[1]);
        assertNotEquals(initial, t[1].params(), "the steps moved the parameters");
        assertEquals(fused.fallbackReason().isPresent() ? 0 : steps, fused.fusedSteps(), "steps run in one pass");
        return fused;
    }

    @Test
    void nesterovWithWeightDecayAsTheBenchTrainsIsBitIdentical() {
        FusedGraphUpdater fused = trainBoth(conf(TsmNetworks.defaultGlobals().updater(new Nesterovs(0.05, 0.9))
                .weightDecay(5e-4), DataType.FLOAT), 4);
        assertEquals(java.util.Optional.empty(), fused.fallbackReason());
        // BatchNorm's running statistics (no division, no updater) break the runs; the rest merge
        assertTrue(fused.segments().size() > 1 && fused.segments().size() < 100, "runs: " + fused.segments().size());
        assertTrue(fused.segments().stream().anyMatch(s -> !s.divide() && s.kind() == FusedGraphUpdater.Kind.NO_OP),
                "running statistics: not divided by the minibatch, no updater");
    }

    @Test
    void recipeParameterGroupsAsTheTrainerTrainsAreBitIdentical() {
        ComputationGraph source = new ComputationGraph(conf(TsmNetworks.defaultGlobals(), DataType.FLOAT));
        source.init();
        TrainingRecipe recipe = TrainingRecipe.builder().learningRate(0.05).referenceBatchSize(3).batchSize(3)
                .warmupEpochs(1).weightDecay(5e-4).fineTune(true).build();
        ComputationGraph dl4j = ParameterGroups.configure(source, recipe, 2);
        ComputationGraph fast = ParameterGroups.configure(source, recipe, 2);
        FusedGraphUpdater fused = FusedGraphUpdater.install(fast);
        assertEquals(java.util.Optional.empty(), fused.fallbackReason());
        List<DataSet> data = batches(DataType.FLOAT, 5);
        fit(dl4j, data);
        fit(fast, data);
        assertSameTraining(dl4j, fast);
        assertEquals(5, fused.fusedSteps());
        assertTrue(fused.segments().stream().anyMatch(s -> s.kind() == FusedGraphUpdater.Kind.SGD_MOMENTUM
                && !s.l2().isEmpty()), "weights: SGD momentum with L2");
        assertTrue(fused.segments().stream().anyMatch(s -> s.kind() == FusedGraphUpdater.Kind.SGD_MOMENTUM
                && s.l2().isEmpty()), "biases and BatchNorm: no decay");
    }

    @Test
    void frozenBatchNormOfThePartialBatchNormRecipeIsBitIdentical() {
        ComputationGraph source = new ComputationGraph(conf(TsmNetworks.defaultGlobals(), DataType.FLOAT));
        source.init();
        TrainingRecipe recipe = TrainingRecipe.builder().learningRate(0.05).partialBatchNorm(true).build();
        ComputationGraph dl4j = ParameterGroups.configure(source, recipe, 1);
        ComputationGraph fast = ParameterGroups.configure(source, recipe, 1);
        FusedGraphUpdater fused = FusedGraphUpdater.install(fast);
        List<DataSet> data = batches(DataType.FLOAT, 3);
        fit(dl4j, data);
        fit(fast, data);
        assertSameTraining(dl4j, fast);
        assertEquals(3, fused.fusedSteps());
        assertTrue(fused.segments().stream().anyMatch(s -> s.kind() == FusedGraphUpdater.Kind.SGD));
    }

    @Test
    void plainSgdWithL2HasNoUpdaterStateAndIsBitIdentical() {
        FusedGraphUpdater fused = trainBoth(conf(TsmNetworks.defaultGlobals().updater(new Sgd(0.1)).l2(1e-3),
                DataType.FLOAT), 3);
        assertEquals(java.util.Optional.empty(), fused.fallbackReason());
        assertTrue(fused.segments().stream().allMatch(s -> s.stateFrom() < 0));
    }

    @Test
    void installingKeepsTheMomentumOfTheStepsBefore() {
        ComputationGraph[] t = twins(conf(TsmNetworks.defaultGlobals().updater(new Nesterovs(0.05, 0.9))
                .weightDecay(5e-4), DataType.FLOAT));
        List<DataSet> data = batches(DataType.FLOAT, 4);
        fit(t[0], data);
        fit(t[1], data.subList(0, 2));
        FusedGraphUpdater fused = FusedGraphUpdater.install(t[1]);
        assertSame(fused, FusedGraphUpdater.install(t[1]), "installing twice keeps the first");
        assertSame(fused, t[1].getUpdater());
        fit(t[1], data.subList(2, 4));
        assertSameTraining(t[0], t[1]);
        assertEquals(2, fused.fusedSteps());
    }

    @Test
    void unsupportedConfigurationsFallBackToDl4jWithAReasonAndTrainTheSame() {
        FusedGraphUpdater adam = trainBoth(conf(TsmNetworks.defaultGlobals().updater(new Adam(1e-3)),
                DataType.FLOAT), 2);
        assertTrue(adam.fallbackReason().orElseThrow().contains("Adam"), adam.fallbackReason().orElseThrow());
        FusedGraphUpdater clipped = trainBoth(conf(TsmNetworks.defaultGlobals()
                .gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(0.5),
                DataType.FLOAT), 2);
        assertTrue(clipped.fallbackReason().orElseThrow().contains("ClipL2PerLayer"),
                clipped.fallbackReason().orElseThrow());
        FusedGraphUpdater l1 = trainBoth(conf(TsmNetworks.defaultGlobals().l1(1e-4), DataType.FLOAT), 2);
        assertTrue(l1.fallbackReason().orElseThrow().contains("L1Regularization"), l1.fallbackReason().orElseThrow());
        FusedGraphUpdater dbl = trainBoth(conf(TsmNetworks.defaultGlobals(), DataType.DOUBLE), 2);
        assertTrue(dbl.fallbackReason().orElseThrow().contains("DOUBLE"), dbl.fallbackReason().orElseThrow());
    }

    @Test
    void aNetworkThatIsNotInitialisedIsRefused() {
        ComputationGraph g = new ComputationGraph(conf(TsmNetworks.defaultGlobals(), DataType.FLOAT));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FusedGraphUpdater.install(g));
        assertTrue(e.getMessage().contains("not initialised"), e.getMessage());
        g.init();
        assertInstanceOf(FusedGraphUpdater.class, FusedGraphUpdater.install(g));
        assertFalse(FusedGraphUpdater.install(g).fallbackReason().isPresent());
    }
}
