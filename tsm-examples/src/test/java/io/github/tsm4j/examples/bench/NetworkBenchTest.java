package io.github.tsm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ExecutionOptions;
import io.github.tsm4j.core.layers.TemporalShiftLayer;
import io.github.tsm4j.models.ShiftPlacement;
import io.github.tsm4j.models.TsmModel;
import java.util.List;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NetworkBenchTest {

    @Test
    void theBenchTimesTheInferenceFormAnApplicationGetsOnTheBoundExecutor() {
        TsmModel tsm = NetworkBench.inferenceForm(ShiftPlacement.RESIDUAL, 32, ExecutionOptions.defaults());
        assertTrue(tsm.isInferenceOnly());
        assertTrue(tsm.graph().getConfiguration().getVertices().values().stream().anyMatch(NetworkBenchTest::isShift));
        INDArray p = tsm.output(Nd4j.rand(DataType.FLOAT, NetworkBench.SEGMENTS, 3, 32, 32));
        assertEquals(List.of(1L, (long) NetworkBench.CLASSES), List.of(p.size(0), p.size(1)));
        assertEquals(1.0, p.sumNumber().doubleValue(), 1e-5);
        assertTrue(tsm.executionPath().startsWith("bound executor: "), tsm.executionPath());
        TsmModel tsn = NetworkBench.inferenceForm(ShiftPlacement.NONE, 32, ExecutionOptions.defaults());
        assertFalse(tsn.graph().getConfiguration().getVertices().values().stream().anyMatch(NetworkBenchTest::isShift));
    }

    private static boolean isShift(Object vertex) {
        return vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof TemporalShiftLayer;
    }
}
