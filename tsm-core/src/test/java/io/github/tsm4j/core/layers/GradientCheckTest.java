package io.github.tsm4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ShiftDirection;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.github.tsm4j.core.RestoreNd4jGlobals;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

/** DL4J's numerical gradient check (double, NoOp updater, no dropout) through the tsm layers. */
@ExtendWith(RestoreNd4jGlobals.class) // sets double-precision defaults / threads / properties
class GradientCheckTest {

    private static final int CLIPS = 2;
    private static final int SIZE = 4;

    @BeforeEach
    void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE); // RestoreNd4jGlobals puts it back
    }

    private static boolean check(Layer temporal, CNN2DFormat format, int segments, int consensusSegments,
            ConsensusMode mode) {
        ComputationGraph g = Nets.graph(temporal, format, consensusSegments, mode, SIZE);
        INDArray x = Nets.input(format, CLIPS * segments, SIZE, 3);
        INDArray y = Nets.labels(CLIPS);
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[] {x}).labels(new INDArray[] {y})
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                // every parameter of conv1 (its gradient flows through the temporal layer), 12 of each other array
                .subset(true).maxPerParam(12));
    }

    private static Layer shift(int segments, ShiftDirection direction, CNN2DFormat format) {
        return new TemporalShiftLayer.Builder().segments(segments).foldDiv(4).direction(direction)
                .dataFormat(format).name("temporal").build();
    }

    @Test
    void bidirectionalShiftWithMaxConsensusPassesTheGradientCheckNchw() {
        assertTrue(check(shift(4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW), CNN2DFormat.NCHW, 4, 4,
                ConsensusMode.MAX));
    }

    @Test
    void unidirectionalShiftPassesTheGradientCheckNhwc() {
        assertTrue(check(shift(3, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NHWC), CNN2DFormat.NHWC, 3, 3,
                ConsensusMode.AVG));
    }

    @Test
    void temporalPoolPassesTheGradientCheck() {
        Layer pool = new TemporalPoolLayer.Builder().segments(4).dataFormat(CNN2DFormat.NCHW).build();
        assertEquals(2, TemporalPoolLayer.pooledSegments(4));
        assertTrue(check(pool, CNN2DFormat.NCHW, 4, 2, ConsensusMode.AVG));
    }

    @Test
    void temporalPoolOfOddLengthPassesTheGradientCheckNhwc() {
        Layer pool = new TemporalPoolLayer.Builder().segments(5).dataFormat(CNN2DFormat.NHWC).build();
        assertTrue(check(pool, CNN2DFormat.NHWC, 5, 3, ConsensusMode.AVG));
    }
}
