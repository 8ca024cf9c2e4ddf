package io.github.tsm4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.ConsensusMode;
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.core.layers.runtime.OnlineShiftLayerImpl;
import java.io.File;
import java.nio.file.Path;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class OnlineShiftLayerTest {

    private static final int STREAMS = 2;
    private static final int T = 3;
    private static final int SIZE = 5;

    @TempDir
    Path dir;

    /** The offline network (unidirectional shift) and its online twin with the same weights. */
    private static ComputationGraph[] twins(CNN2DFormat format) {
        ComputationGraph offline = Nets.graph(new TemporalShiftLayer.Builder().segments(T).foldDiv(4)
                .direction(ShiftDirection.UNIDIRECTIONAL).dataFormat(format).build(), format, T,
                ConsensusMode.IDENTITY, SIZE);
        ComputationGraph online = Nets.graph(new OnlineShiftLayer.Builder().foldDiv(4).dataFormat(format).build(),
                format, 1, ConsensusMode.IDENTITY, SIZE);
        online.setParams(offline.params());
        return new ComputationGraph[] {offline, online};
    }

    /** Rows b·T + t of a [B·T, ...] array: frame t of every stream. */
    private static INDArray frame(INDArray clips, int t) {
        INDArray[] rows = new INDArray[STREAMS];
        for (int b = 0; b < STREAMS; b++) {
            rows[b] = clips.get(NDArrayIndex.interval(b * T + t, b * T + t + 1));
        }
        return Nd4j.concat(0, rows);
    }

    @Test
    void streamingFramesThroughTheGraphEqualsTheOfflineUnidirectionalNetwork() {
        for (CNN2DFormat format : CNN2DFormat.values()) {
            ComputationGraph[] nets = twins(format);
            INDArray clips = Nets.input(format, STREAMS * T, SIZE, 8);
            INDArray offline = nets[0].outputSingle(clips);
            for (int t = 0; t < T; t++) {
                INDArray online = nets[1].outputSingle(frame(clips, t));
                assertArrayEquals(frame(offline, t).data().asDouble(), online.dup().data().asDouble(), 1e-12,
                        "frame " + t + " " + format);
            }
        }
    }

    @Test
    void resettingOneStreamRestartsItWhileTheOtherGoesOn() {
        ComputationGraph[] nets = twins(CNN2DFormat.NCHW);
        INDArray clips = Nets.input(CNN2DFormat.NCHW, STREAMS * T, SIZE, 9);
        INDArray offline = nets[0].outputSingle(clips);
        OnlineShiftLayerImpl shift = (OnlineShiftLayerImpl) nets[1].getLayer("temporal");
        assertNull(shift.state());
        nets[1].outputSingle(frame(clips, 1));      // some other video's frame
        shift.resetStream(0);
        INDArray first = nets[1].outputSingle(frame(clips, 0));
        // stream 0 restarted: it matches frame 0 offline; stream 1 still remembers the other frame
        assertArrayEquals(frame(offline, 0).getRow(0).dup().data().asDouble(), first.getRow(0).dup().data().asDouble(), 1e-12);
        assertTrue(Math.abs(frame(offline, 0).getDouble(1, 0) - first.getDouble(1, 0)) > 1e-9);
        shift.resetState();
        INDArray again = nets[1].outputSingle(frame(clips, 0));
        assertArrayEquals(frame(offline, 0).data().asDouble(), again.dup().data().asDouble(), 1e-12);
        assertEquals(STREAMS, shift.state().streams());
    }

    @Test
    void aNewBatchSizeRecreatesTheState() {
        ComputationGraph[] nets = twins(CNN2DFormat.NCHW);
        OnlineShiftLayerImpl shift = (OnlineShiftLayerImpl) nets[1].getLayer("temporal");
        nets[1].outputSingle(Nets.input(CNN2DFormat.NCHW, 2, SIZE, 1));
        assertEquals(2, shift.state().streams());
        nets[1].outputSingle(Nets.input(CNN2DFormat.NCHW, 3, SIZE, 1));
        assertEquals(3, shift.state().streams());
    }

    @Test
    void backpropIsUnsupported() {
        Layer layer = SegmentConsensusLayerTest.instantiate(new OnlineShiftLayer.Builder().name("online").build());
        layer.activate(Nd4j.rand(DataType.DOUBLE, 2, 8, 2, 2), false, LayerWorkspaceMgr.noWorkspaces());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> layer.backpropGradient(Nd4j.rand(DataType.DOUBLE, 2, 8, 2, 2), LayerWorkspaceMgr.noWorkspaces()));
        assertEquals("OnlineShiftLayer 'online' (layer index 0): the online shift is for inference only; train with "
                + "TemporalShiftLayer(direction = UNIDIRECTIONAL) and run online with the same weights", e.getMessage());
    }

    @Test
    void inputOfWrongRankNamesTheLayer() {
        Layer layer = SegmentConsensusLayerTest.instantiate(new OnlineShiftLayer.Builder().name("online").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.activate(Nd4j.rand(DataType.DOUBLE, 2, 8), false, LayerWorkspaceMgr.noWorkspaces()));
        assertEquals("OnlineShiftLayer 'online' (layer index 0): input must have rank 4 [B, C, H, W] (NCHW), one frame "
                + "per stream, found rank 2 with shape [2, 8]", e.getMessage());
    }

    @Test
    void tooFewChannelsNameTheLayer() {
        Layer layer = SegmentConsensusLayerTest.instantiate(new OnlineShiftLayer.Builder().name("online").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.activate(Nd4j.rand(DataType.DOUBLE, 2, 4, 1, 1), false, LayerWorkspaceMgr.noWorkspaces()));
        assertEquals("OnlineShiftLayer 'online' (layer index 0): OnlineShift: channels C = 4 < foldDiv = 8 (fold would "
                + "be 0 and nothing would shift)", e.getMessage());
    }

    @Test
    void configurationSurvivesModelSerializer() throws Exception {
        ComputationGraph online = twins(CNN2DFormat.NHWC)[1];
        File file = dir.resolve("online.zip").toFile();
        ModelSerializer.writeModel(online, file, false);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, false);
        assertEquals(online.getConfiguration(), restored.getConfiguration());
        INDArray frame = Nets.input(CNN2DFormat.NHWC, STREAMS, SIZE, 3);
        assertArrayEquals(online.outputSingle(frame).data().asDouble(), restored.outputSingle(frame).data().asDouble());
    }

    @Test
    void outputTypeAndBuilderChecks() {
        OnlineShiftLayer conf = new OnlineShiftLayer.Builder().foldDiv(8).build();
        InputType in = InputType.convolutional(7, 7, 96);
        assertEquals(in, conf.getOutputType(0, in));
        assertEquals("OnlineShiftLayer 'x': foldDiv must be >= 2, found 0", assertThrows(IllegalArgumentException.class,
                () -> new OnlineShiftLayer.Builder().name("x").foldDiv(0).build()).getMessage());
    }
}
