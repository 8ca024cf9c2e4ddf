package io.github.tsm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmNetworks;
import io.github.tsm4j.models.infer.InferenceGraphs;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NetworkBenchTest {

    private static ComputationGraph folded(ShiftPlacement placement) {
        TsmConfig config = TsmConfig.builder(Backbone.RESNET18, 5)
                .placement(placement)
                .direction(ShiftDirection.BIDIRECTIONAL)
                .segments(2)
                .inputSize(32, 36)
                .baseWidth(8)
                .dataFormat(CNN2DFormat.NHWC)
                .build();
        return InferenceGraphs.foldBatchNorm(NetworkBench.init(TsmNetworks.offline(config)));
    }

    @Test
    void copyInsteadOfShiftComputesTheTsnFunctionWithTheTsmParameters() {
        Nd4j.getRandom().setSeed(3);
        ComputationGraph tsm = folded(ShiftPlacement.RESIDUAL);
        ComputationGraph tsn = folded(ShiftPlacement.NONE);
        TsmNetworks.copyParams(tsm, tsn);
        ComputationGraph copied = NetworkBench.copyInsteadOfShift(tsm);

        assertEquals(tsm.numParams(), copied.numParams());
        for (org.deeplearning4j.nn.api.Layer layer : tsm.getLayers()) {
            if (layer.numParams() == 0) {
                continue;
            }
            assertEquals(layer.params(), copied.getLayer(layer.conf().getLayer().getLayerName()).params());
        }
        assertTrue(tsm.getConfiguration().getVertices().values().stream().anyMatch(NetworkBenchTest::isShift));
        assertFalse(copied.getConfiguration().getVertices().values().stream().anyMatch(NetworkBenchTest::isShift));

        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
        INDArray expected = tsn.outputSingle(false, x);
        INDArray actual = copied.outputSingle(false, x);
        assertTrue(expected.equalsWithEps(actual, 1e-6), "copy graph " + actual + " vs TSN " + expected);
        // the shift itself changes the function: the copy graph is not the TSM
        assertFalse(tsm.outputSingle(false, x).equalsWithEps(actual, 1e-4));
    }

    @Test
    void copyInsteadOfShiftRejectsAGraphWithoutShifts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NetworkBench.copyInsteadOfShift(folded(ShiftPlacement.NONE)));
        assertEquals("copyInsteadOfShift: the graph has no TemporalShiftLayer", e.getMessage());
    }

    private static boolean isShift(Object vertex) {
        return vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof TemporalShiftLayer;
    }
}
