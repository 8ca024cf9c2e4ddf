package io.github.tsm4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TemporalPoolLayerTest {

    private static Layer pool(int segments, CNN2DFormat format) {
        return SegmentConsensusLayerTest.instantiate(
                new TemporalPoolLayer.Builder().segments(segments).dataFormat(format).name("tpool").build());
    }

    /** [T, 2, 1, 1]: one clip; per frame the two channel values. */
    private static INDArray frames(double[][] values) {
        INDArray x = Nd4j.create(DataType.DOUBLE, values.length, values[0].length, 1, 1);
        for (int t = 0; t < values.length; t++) {
            for (int c = 0; c < values[t].length; c++) {
                x.putScalar(new long[] {t, c, 0, 0}, values[t][c]);
            }
        }
        return x;
    }

    @Test
    void pooledLengthIsFloorOfHalfTMinusOnePlusOne() {
        assertEquals(1, TemporalPoolLayer.pooledSegments(1));
        assertEquals(1, TemporalPoolLayer.pooledSegments(2));
        assertEquals(2, TemporalPoolLayer.pooledSegments(3));
        assertEquals(4, TemporalPoolLayer.pooledSegments(8));
        assertEquals(8, TemporalPoolLayer.pooledSegments(16));
    }

    @Test
    void eightFramesBecomeFourWindowMaxima() {
        // windows (kernel 3, stride 2, padding 1): {0,1}, {1,2,3}, {3,4,5}, {5,6,7}
        INDArray x = frames(new double[][] {{1, 8}, {5, 1}, {2, 7}, {3, 2}, {9, 3}, {0, 4}, {4, 6}, {6, 5}});
        INDArray out = pool(8, CNN2DFormat.NCHW).activate(x, false, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(frames(new double[][] {{5, 8}, {5, 7}, {9, 4}, {6, 6}}), out);
    }

    @Test
    void clipsArePooledSeparately() {
        INDArray clip1 = frames(new double[][] {{1, 2}, {3, 4}, {5, 6}});
        INDArray clip2 = frames(new double[][] {{-1, -2}, {-3, -4}, {-5, -6}});
        INDArray out = pool(3, CNN2DFormat.NCHW).activate(Nd4j.concat(0, clip1, clip2), false,
                LayerWorkspaceMgr.noWorkspaces());
        assertEquals(Nd4j.concat(0, frames(new double[][] {{3, 4}, {5, 6}}),
                frames(new double[][] {{-1, -2}, {-3, -4}})), out);
    }

    @Test
    void backwardRoutesToTheFirstMaximumAndAccumulatesOverlappingWindows() {
        // channel 0: frame 1 wins both windows {0,1} and {1,2,3} -> gets 10 + 20
        // channel 1: ties everywhere -> the first frame of each window: frame 0 gets 10, frame 1 gets 20
        INDArray x = frames(new double[][] {{1, 7}, {5, 7}, {2, 7}, {3, 7}});
        Layer layer = pool(4, CNN2DFormat.NCHW);
        layer.activate(x, true, LayerWorkspaceMgr.noWorkspaces());
        INDArray eps = frames(new double[][] {{10, 10}, {20, 20}});
        INDArray grad = layer.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertEquals(frames(new double[][] {{0, 10}, {30, 20}, {0, 0}, {0, 0}}), grad);
    }

    @Test
    void nhwcPoolsEachElementLikeNchw() {
        Nd4j.getRandom().setSeed(4);
        INDArray nchw = Nd4j.rand(DataType.DOUBLE, 10, 3, 2, 2);
        INDArray a = pool(5, CNN2DFormat.NCHW).activate(nchw, false, LayerWorkspaceMgr.noWorkspaces());
        INDArray b = pool(5, CNN2DFormat.NHWC).activate(nchw.permute(0, 2, 3, 1), false,
                LayerWorkspaceMgr.noWorkspaces());
        assertEquals(a, b.permute(0, 3, 1, 2));
    }

    @Test
    void outputTypeKeepsTheConvolutionalType() {
        InputType in = InputType.convolutional(28, 28, 256, CNN2DFormat.NHWC);
        TemporalPoolLayer conf = new TemporalPoolLayer.Builder().segments(8).dataFormat(CNN2DFormat.NHWC).build();
        assertEquals(in, conf.getOutputType(0, in));
        assertEquals(4, conf.getOutputSegments());
    }

    @Test
    void rejectsInputTypeOfTheOtherLayout() {
        TemporalPoolLayer conf = new TemporalPoolLayer.Builder().segments(8).name("tpool").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conf.getOutputType(3, InputType.convolutional(7, 7, 16, CNN2DFormat.NHWC)));
        assertEquals("TemporalPoolLayer 'tpool' (layer index 3): configured dataFormat NCHW but the input type is NHWC ("
                + InputType.convolutional(7, 7, 16, CNN2DFormat.NHWC) + "); set .dataFormat(CNN2DFormat.NHWC)",
                e.getMessage());
    }

    @Test
    void rejectsBatchNotDivisibleBySegments() {
        Layer layer = pool(4, CNN2DFormat.NCHW);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.activate(Nd4j.create(DataType.DOUBLE, 6, 2, 1, 1), false, LayerWorkspaceMgr.noWorkspaces()));
        assertEquals("TemporalPoolLayer 'tpool' (layer index 0): first dimension N·T = 6 is not divisible by segments "
                + "T = 4; expected [N·T, C, H, W] (NCHW) with the T frames of each clip contiguous, found shape "
                + "[6, 2, 1, 1]", e.getMessage());
    }

    @Test
    void rejectsRankOtherThanFour() {
        Layer layer = pool(4, CNN2DFormat.NHWC);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.activate(Nd4j.create(DataType.DOUBLE, 8, 2), false, LayerWorkspaceMgr.noWorkspaces()));
        assertEquals("TemporalPoolLayer 'tpool' (layer index 0): input must have rank 4 [N·T, H, W, C] (NHWC), "
                + "found rank 2 with shape [8, 2]", e.getMessage());
    }

    @Test
    void builderRequiresSegments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TemporalPoolLayer.Builder().build());
        assertEquals("TemporalPoolLayer: segments must be >= 1 (set it with .segments(T)), found -1", e.getMessage());
    }
}
