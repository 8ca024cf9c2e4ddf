package io.github.tsm4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tsm4j.core.ConsensusMode;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SegmentConsensusLayerTest {

    /** Two clips of T = 3 frames, K = 2: rows are frames. */
    private static final double[][] SCORES = {
        {1, 6}, {4, 2}, {4, 5},      // clip 0: max of column 0 is tied at frames 1 and 2
        {-1, 0}, {-3, 9}, {2, 9},    // clip 1
    };

    static Layer instantiate(org.deeplearning4j.nn.conf.layers.Layer config) {
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).layer(config).build();
        return conf.getLayer().instantiate(conf, null, 0, null, true, DataType.DOUBLE);
    }

    private static Layer consensus(ConsensusMode mode) {
        return instantiate(new SegmentConsensusLayer.Builder().segments(3).mode(mode).name("consensus").build());
    }

    private static INDArray scores() {
        return Nd4j.create(SCORES);
    }

    @Test
    void averageTakesTheMeanOverTheFramesOfEachClip() {
        INDArray out = consensus(ConsensusMode.AVG).activate(scores(), false, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(Nd4j.create(new double[][] {{3, 13.0 / 3}, {-2.0 / 3, 6}}), out);
    }

    @Test
    void averageSpreadsTheGradientEvenly() {
        Layer layer = consensus(ConsensusMode.AVG);
        layer.activate(scores(), true, LayerWorkspaceMgr.noWorkspaces());
        INDArray grad = layer.backpropGradient(Nd4j.create(new double[][] {{3, 6}, {-9, 0}}),
                LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertEquals(Nd4j.create(new double[][] {{1, 2}, {1, 2}, {1, 2}, {-3, 0}, {-3, 0}, {-3, 0}}), grad);
    }

    @Test
    void maxTakesTheMaximumOverTheFrames() {
        INDArray out = consensus(ConsensusMode.MAX).activate(scores(), false, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(Nd4j.create(new double[][] {{4, 6}, {2, 9}}), out);
    }

    @Test
    void maxRoutesTheGradientToTheFirstMaximalFrame() {
        Layer layer = consensus(ConsensusMode.MAX);
        layer.activate(scores(), true, LayerWorkspaceMgr.noWorkspaces());
        INDArray grad = layer.backpropGradient(Nd4j.create(new double[][] {{10, 20}, {30, 40}}),
                LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertEquals(Nd4j.create(new double[][] {{0, 20}, {10, 0}, {0, 0}, {0, 0}, {0, 40}, {30, 0}}), grad);
    }

    @Test
    void identityPassesFramesThrough() {
        Layer layer = consensus(ConsensusMode.IDENTITY);
        assertEquals(scores(), layer.activate(scores(), true, LayerWorkspaceMgr.noWorkspaces()));
        INDArray eps = Nd4j.rand(DataType.DOUBLE, 6, 2);
        assertEquals(eps, layer.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces()).getSecond());
    }

    @Test
    void outputTypeIsFeedForwardOfTheSameSize() {
        SegmentConsensusLayer conf = new SegmentConsensusLayer.Builder().segments(8).build();
        assertEquals(InputType.feedForward(174), conf.getOutputType(0, InputType.feedForward(174)));
        assertEquals(ConsensusMode.AVG, conf.getMode());
    }

    @Test
    void rejectsRecurrentInputType() {
        SegmentConsensusLayer conf = new SegmentConsensusLayer.Builder().segments(8).name("head").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conf.getOutputType(7, InputType.recurrent(5)));
        assertEquals("SegmentConsensusLayer 'head' (layer index 7): expected feed-forward input [N·T, K], found input "
                + "type " + InputType.recurrent(5), e.getMessage());
    }

    @Test
    void rejectsBatchNotDivisibleBySegments() {
        Layer layer = consensus(ConsensusMode.AVG);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.activate(Nd4j.create(DataType.DOUBLE, 4, 2), false, LayerWorkspaceMgr.noWorkspaces()));
        assertEquals("SegmentConsensusLayer 'consensus' (layer index 0): first dimension N·T = 4 is not divisible by "
                + "segments T = 3; expected [N·T, K] with the T frames of each clip contiguous", e.getMessage());
    }

    @Test
    void rejectsRankOtherThanTwo() {
        Layer layer = consensus(ConsensusMode.MAX);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.activate(Nd4j.create(DataType.DOUBLE, 6, 2, 1), false, LayerWorkspaceMgr.noWorkspaces()));
        assertEquals("SegmentConsensusLayer 'consensus' (layer index 0): input must have rank 2 [N·T, K], found rank 3 "
                + "with shape [6, 2, 1]", e.getMessage());
    }

    @Test
    void builderRequiresSegments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SegmentConsensusLayer.Builder().name("head").build());
        assertEquals("SegmentConsensusLayer 'head': segments must be >= 1 (set it with .segments(T)), found -1",
                e.getMessage());
    }

    @Test
    void builderRejectsNullMode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SegmentConsensusLayer.Builder().segments(2).mode(null).build());
        assertEquals("SegmentConsensusLayer: mode must not be null", e.getMessage());
    }
}
