package io.github.tsm4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.conv.ConvActivation;
import io.github.tsm4j.core.norm.BatchNormImplementation;
import io.github.tsm4j.core.norm.NativeActivation;
import io.github.tsm4j.core.norm.NativeBatchNorm;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-step training of a small NCHW TSM-ResNet-18 (width 8, 32 px, 2 videos × 2 segments; Nesterov momentum, lr
 * 0.01, workspaces on) with the native BatchNorm (fused ReLU) and {@code NativeActivation}, against the same network
 * built from DL4J's {@code BatchNormalization} + {@code ActivationLayer} ({@code ExecutionOptions.batchNorm = STOCK}).
 *
 * <p>Why the trajectory comparison runs in double: this tiny network overfits its one minibatch with 4 values per
 * channel in layer4 (N·T·1·1), and its float training trajectory amplifies rounding differences by ~10³ per step
 * (1e-6 noise on the stock network's own weights moves the loss from 0.4190 to 0.4411 at step 3), so two float
 * implementations of the same function leave each other within a few steps whatever the layout. In double the
 * native and stock networks stay equal to ~1e-11 for 10 steps. The float path (oneDNN {@code batchnorm}) is
 * checked step by step instead: at every state of a float native trajectory the native gradients equal the stock
 * layers' gradients at the same parameters.
 */
class NativeBatchNormTrainingTest {

    private static final int SIZE = 32;

    private static ComputationGraph resnet(BatchNormImplementation bn, DataType type) {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, 3).segments(2).inputSize(SIZE, SIZE).baseWidth(8)
                .dropout(0).dataFormat(CNN2DFormat.NCHW).build();
        ComputationGraph g = new ComputationGraph(TsmNetworks.offline(config,
                TsmNetworks.defaultGlobals().dataType(type),
                io.github.tsm4j.core.ExecutionOptions.builder().batchNorm(bn).build()));
        g.init();
        return g;
    }

    private static DataSet batch(DataType type) {
        Nd4j.getRandom().setSeed(7);
        return new DataSet(Nd4j.randn(type, 4, 3, SIZE, SIZE),
                Nd4j.createFromArray(new float[][] {{1, 0, 0}, {0, 1, 0}}).castTo(type));
    }

    private static boolean statistic(String param) {
        return param.endsWith("_mean") || param.endsWith("_var");
    }

    private static void assertNativeNchwGraph(ComputationGraph g) {
        for (String bn : new String[] {"bn1", "layer1.0.bn1", "layer4.1.bn1"}) {
            NativeBatchNorm layer = assertInstanceOf(NativeBatchNorm.class, g.getLayer(bn).conf().getLayer(), bn);
            assertEquals(ConvActivation.RELU, layer.getFusedActivation(), bn);
            assertEquals(CNN2DFormat.NCHW, layer.getCnn2DFormat(), bn);
        }
        NativeBatchNorm bn2 = assertInstanceOf(NativeBatchNorm.class, g.getLayer("layer1.0.bn2").conf().getLayer());
        assertEquals(ConvActivation.IDENTITY, bn2.getFusedActivation());
        assertInstanceOf(NativeActivation.class, g.getLayer("layer1.0.relu").conf().getLayer());
        assertFalse(g.getConfiguration().getVertices().containsKey("layer1.0.relu1"), "ReLU fused into layer1.0.bn1");
    }

    /** Values per channel that a BatchNorm of this network normalises: N·T·H·W of its input. */
    private static long valuesPerChannel(String layer) {
        int stage = layer.startsWith("layer") ? layer.charAt(5) - '0' : 0;
        long side = SIZE / (2L << stage); // stem 16, layer1 8, layer2 4, layer3 2, layer4 1
        return 4 * side * side;
    }

    /**
     * Six Nesterov steps on one minibatch: equal losses at every step, equal weights, γ, β and running means
     * afterwards; the running variances differ exactly by PyTorch's unbiased correction M/(M − 1), which the native
     * layer applies to every batch variance it averages in and DL4J's layer does not.
     */
    @Test
    void nchwResNetWithNativeBatchNormFollowsTheStockTrainingTrajectoryInDouble() {
        ComputationGraph stock = resnet(BatchNormImplementation.STOCK, DataType.DOUBLE);
        ComputationGraph fast = resnet(BatchNormImplementation.NATIVE, DataType.DOUBLE);
        assertNativeNchwGraph(fast);
        assertFalse(stock.getLayer("layer1.0.bn1").conf().getLayer() instanceof NativeBatchNorm);
        assertInstanceOf(ActivationLayer.class, stock.getLayer("layer1.0.relu1").conf().getLayer());
        TsmNetworks.copyParams(stock, fast);
        double initialVar = stock.getParam("layer1.0.bn1_var").getDouble(0);
        assertEquals(1.0, initialVar);
        DataSet batch = batch(DataType.DOUBLE);
        int steps = 6;
        for (int step = 0; step < steps; step++) {
            stock.fit(batch);
            fast.fit(batch);
            assertEquals(stock.score(), fast.score(), 1e-9, "loss at step " + step);
        }
        assertTrue(stock.score() < 0.2, "the network learns its minibatch: loss " + stock.score());
        double decayed = Math.pow(Layers.BN_DECAY, steps) * initialVar;
        int vars = 0;
        for (Map.Entry<String, INDArray> e : fast.paramTable().entrySet()) {
            String key = e.getKey();
            INDArray expected = stock.getParam(key);
            if (key.endsWith("_var")) {
                long m = valuesPerChannel(key);
                // native: decay^k·v0 + Σ (1 − decay)·decay^(k−1−j)·σ²_j·M/(M − 1); stock the same without M/(M − 1)
                expected = expected.sub(decayed).muli((double) m / (m - 1)).addi(decayed);
                vars++;
            }
            double scale = Math.max(1, expected.amaxNumber().doubleValue());
            assertEquals(0, e.getValue().sub(expected).amaxNumber().doubleValue() / scale, 1e-9, key);
        }
        assertEquals(20, vars);
    }

    /**
     * The float path (oneDNN {@code batchnorm}, BLAS sums, workspaces reused across iterations): six steps of the
     * native network's own trajectory; before each, the stock network gets the same parameters and both compute
     * loss and gradients. Observed: losses within 1e-6, every γ, β and weight gradient within 6e-4 (relative L2;
     * the largest at step 4, where the trajectory is most sensitive), typically 3e-5.
     */
    @Test
    void everyStateOfAFloatNchwTrajectoryHasTheStockLayersGradients() {
        ComputationGraph fast = resnet(BatchNormImplementation.NATIVE, DataType.FLOAT);
        ComputationGraph stock = resnet(BatchNormImplementation.STOCK, DataType.FLOAT);
        assertNativeNchwGraph(fast);
        DataSet batch = batch(DataType.FLOAT);
        double first = Double.NaN;
        for (int step = 0; step < 6; step++) {
            TsmNetworks.copyParams(fast, stock);
            for (ComputationGraph g : new ComputationGraph[] {stock, fast}) {
                g.setInputs(batch.getFeatures());
                g.setLabels(batch.getLabels());
                g.computeGradientAndScore();
            }
            assertEquals(stock.score(), fast.score(), 2e-6, "loss at step " + step);
            Map<String, INDArray> expected = stock.gradient().gradientForVariable();
            int checked = 0;
            for (Map.Entry<String, INDArray> e : fast.gradient().gradientForVariable().entrySet()) {
                if (statistic(e.getKey())) {
                    continue;
                }
                INDArray a = expected.get(e.getKey());
                double rel = e.getValue().sub(a).norm2Number().doubleValue() / a.norm2Number().doubleValue();
                assertTrue(rel < 2e-3, e.getKey() + " at step " + step + ": relative difference " + rel);
                checked++;
            }
            assertEquals(62, checked); // 20 convs, 20 BN γ/β pairs, fc W and b
            if (step == 0) {
                first = fast.score();
            }
            fast.fit(batch);
        }
        assertTrue(fast.score() < first / 2, "loss " + first + " -> " + fast.score());
    }
}
