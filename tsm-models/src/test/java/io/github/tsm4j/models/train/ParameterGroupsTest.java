package io.github.tsm4j.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class ParameterGroupsTest {
    private static final TrainingRecipe FINE_TUNE = TrainingRecipe.builder().learningRate(0.01).batchSize(64)
            .fineTune(true).build();

    private static String table(List<ParameterGroup> groups) {
        return groups.stream().map(g -> g.layer() + "." + g.param() + " lr=" + (float) g.learningRate() + " wd="
                + (float) g.weightDecay() + (g.trainable() ? "" : " fixed")).collect(Collectors.joining("\n"));
    }

    @Test
    void weightsDecayBatchNormAndBiasesDoNotAndTheClassifierLearnsFaster() {
        ComputationGraph g = ParameterGroups.configure(TinyNets.graph(4, 1), FINE_TUNE, 1);
        assertEquals(String.join("\n",
                "conv1.W lr=0.01 wd=5.0E-4",
                "bn1.gamma lr=0.01 wd=0.0",
                "bn1.beta lr=0.01 wd=0.0",
                "bn1.mean lr=0.0 wd=0.0 fixed",
                "bn1.var lr=0.0 wd=0.0 fixed",
                "conv2.W lr=0.01 wd=5.0E-4",
                "bn2.gamma lr=0.01 wd=0.0",
                "bn2.beta lr=0.01 wd=0.0",
                "bn2.mean lr=0.0 wd=0.0 fixed",
                "bn2.var lr=0.0 wd=0.0 fixed",
                "fc.W lr=0.05 wd=5.0E-4",
                "fc.b lr=0.1 wd=0.0"), table(ParameterGroups.describe(g)));
    }

    @Test
    void withoutFineTuningBiasesLearnTwiceAsFast() {
        TrainingRecipe scratch = FINE_TUNE.toBuilder().fineTune(false).build();
        List<ParameterGroup> groups = ParameterGroups.describe(ParameterGroups.configure(TinyNets.graph(4, 1), scratch, 1));
        assertEquals("fc.W lr=0.01 wd=5.0E-4", table(groups.subList(10, 11)));
        assertEquals("fc.b lr=0.02 wd=0.0", table(groups.subList(11, 12)));
    }

    @Test
    void partialBatchNormFreezesEveryBatchNormButTheFirst() {
        TrainingRecipe partial = FINE_TUNE.toBuilder().partialBatchNorm(true).build();
        ComputationGraph source = TinyNets.graph(4, 1);
        ComputationGraph g = ParameterGroups.configure(source, partial, 1);
        List<ParameterGroup> groups = ParameterGroups.describe(g);
        assertTrue(groups.get(1).trainable(), "bn1.gamma");
        assertEquals("bn2.gamma lr=0.0 wd=0.0 fixed", table(groups.subList(6, 7)));
        assertEquals(source.params(), g.params());

        INDArray bn2Before = g.getLayer("bn2").params().dup();
        INDArray bn1Before = g.getLayer("bn1").params().dup();
        DataSet batch = DataSet.merge(TinyNets.squares(8, 4, 5));
        Nd4j.getRandom().setSeed(1);
        g.fit(batch);
        assertEquals(bn2Before, g.getLayer("bn2").params(), "frozen BatchNorm: γ, β and statistics unchanged");
        assertTrue(!bn1Before.equals(g.getLayer("bn1").params()), "the first BatchNorm still trains");
        assertTrue(!source.getLayer("conv1").params().equals(g.getLayer("conv1").params()),
                "gradients flow through the frozen BatchNorm to conv1");
    }

    @Test
    void unknownClassifierLayerIsNamed() {
        TrainingRecipe bad = FINE_TUNE.toBuilder().classifierLayer("new_fc").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterGroups.configure(TinyNets.graph(4, 1), bad, 1));
        assertTrue(e.getMessage().startsWith("TrainingRecipe.classifierLayer 'new_fc' is not a layer with parameters"),
                e.getMessage());
    }

    @Test
    void globalNormClippingScalesAllGradientsToTheMaximumNorm() {
        TrainingRecipe r = FINE_TUNE.toBuilder().clipGradientNorm(1e-3).build();
        ComputationGraph g = ParameterGroups.configure(TinyNets.graph(4, 1), r, 1);
        DataSet batch = DataSet.merge(TinyNets.squares(8, 4, 5));
        g.setInputs(batch.getFeatures());
        g.setLabels(batch.getLabels());
        g.computeGradientAndScore();
        GlobalNormClipping clip = new GlobalNormClipping(1e-3);
        clip.onGradientCalculation(g);
        assertTrue(clip.lastNorm() > 1e-3, "unclipped norm " + clip.lastNorm());
        double sum = 0;
        for (var e : g.gradient().gradientForVariable().entrySet()) {
            if (!e.getKey().endsWith("_mean") && !e.getKey().endsWith("_var")) {
                double n = e.getValue().norm2Number().doubleValue() / 8;
                sum += n * n;
            }
        }
        assertEquals(1e-3, Math.sqrt(sum), 1e-8);
    }
}
