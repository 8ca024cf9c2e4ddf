package io.github.tsm4j.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import io.github.tsm4j.models.TsmNetworks;
import java.util.List;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

/** The recipe's parameter groups on a real TSM ResNet-18 configuration (narrow, so the test is fast). */
class TsmParameterGroupsTest {

    @Test
    void tsmResNetGroupsHaveNoDecayOnBatchNormAndBiasesAndFastClassifier() {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, 5).segments(4).inputSize(32, 32).baseWidth(8)
                .build();
        TsmModel model = TsmModel.create(config, TsmModel.defaultLabels(5));
        TrainingRecipe recipe = TrainingRecipe.builder().learningRate(0.02).batchSize(32).referenceBatchSize(64)
                .fineTune(true).build();
        ComputationGraph g = ParameterGroups.configure(model.graph(), recipe, 1);
        List<ParameterGroup> groups = ParameterGroups.describe(g);
        double lr = 0.01;

        List<ParameterGroup> convs = groups.stream().filter(p -> p.param().equals("W") && !p.layer().equals("fc")).toList();
        assertEquals(20, convs.size(), "ResNet-18: stem + 16 block convs + 3 downsample convs");
        for (ParameterGroup p : convs) {
            assertEquals(lr, p.learningRate(), 1e-15, p.toString());
            assertEquals(5e-4, p.weightDecay(), 1e-15, p.toString());
        }
        List<ParameterGroup> bn = groups.stream().filter(p -> p.param().equals("gamma") || p.param().equals("beta")).toList();
        assertEquals(2 * 20, bn.size(), "one BatchNorm per conv");
        for (ParameterGroup p : bn) {
            assertEquals(lr, p.learningRate(), 1e-15, p.toString());
            assertEquals(0, p.weightDecay(), p.toString());
        }
        assertTrue(groups.stream().filter(p -> p.param().equals("mean") || p.param().equals("var"))
                .noneMatch(ParameterGroup::trainable), "BatchNorm statistics are not trained");
        assertEquals(List.of("fc.W lr=0.05 wd=5.0E-4", "fc.b lr=0.1 wd=0.0"),
                groups.stream().filter(p -> p.layer().equals(TsmNetworks.FC))
                        .map(p -> p.layer() + "." + p.param() + " lr=" + (float) p.learningRate() + " wd=" + (float) p.weightDecay())
                        .collect(Collectors.toList()));
        assertEquals(List.of(), groups.stream().filter(p -> p.param().equals("b") && !p.layer().equals("fc")).toList(),
                "torchvision convolutions have no bias");
        assertEquals(model.graph().params(), g.params(), "configure keeps the parameters");
    }
}
