package io.github.tsm4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class OnlineShiftTest {

    private static final int STREAMS = 3;
    private static final int T = 4;
    private static final int C = 8;
    private static final int H = 2;
    private static final int W = 3;

    /** Frame t of every stream from a batch of clips [B·T, ...]: rows b·T + t. */
    private static INDArray frameOf(INDArray clips, int t) {
        INDArray[] rows = new INDArray[STREAMS];
        for (int b = 0; b < STREAMS; b++) {
            rows[b] = clips.get(NDArrayIndex.interval(b * T + t, b * T + t + 1), NDArrayIndex.all(),
                    NDArrayIndex.all(), NDArrayIndex.all());
        }
        return Nd4j.concat(0, rows);
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void frameByFrameEqualsTheUnidirectionalOfflineShift(CNN2DFormat format) {
        INDArray clips = TemporalShiftTest.random(format, STREAMS * T, C, H, W, 5);
        INDArray offline = TemporalShift.shift(clips, T, 4, ShiftDirection.UNIDIRECTIONAL, format);
        OnlineShift online = new OnlineShift(STREAMS, C, 4, H, W, format, DataType.DOUBLE);
        for (int t = 0; t < T; t++) {
            INDArray out = frameOf(clips, t).ulike();
            online.apply(frameOf(clips, t), out);
            assertEquals(frameOf(offline, t), out, "frame " + t + " " + format);
        }
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void boundShiftEqualsApplyAndSharesTheCache(CNN2DFormat format) {
        INDArray clips = TemporalShiftTest.random(format, STREAMS * T, C, H, W, 8);
        INDArray offline = TemporalShift.shift(clips, T, 4, ShiftDirection.UNIDIRECTIONAL, format);
        OnlineShift online = new OnlineShift(STREAMS, C, 4, H, W, format, DataType.DOUBLE);
        INDArray frame = frameOf(clips, 0).ulike();
        INDArray out = frame.ulike();
        try (OnlineShift.Bound bound = online.bind(frame, out)) {
            for (int t = 0; t < T; t++) {
                frame.assign(frameOf(clips, t));
                if (t == 2) {
                    // the unbound path continues the same stream from the same cache
                    online.apply(frame, out);
                } else {
                    bound.run();
                }
                assertEquals(frameOf(offline, t), out, "frame " + t + " " + format);
            }
            online.reset();
            frame.assign(frameOf(clips, 1));
            bound.run();
            assertEquals(0.0, TemporalShift.channelBlock(out, format, 0, C / 4).amaxNumber().doubleValue(),
                    "after reset the bound shift reads zeros from the cache");
            assertEquals(TemporalShift.channelBlock(frame, format, C / 4, C),
                    TemporalShift.channelBlock(out, format, C / 4, C));
        }
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void stridedViewsTakeTheChannelBlockPathWithTheSameResult(CNN2DFormat format) {
        INDArray clips = TemporalShiftTest.random(format, STREAMS * T, C, H, W, 9);
        INDArray offline = TemporalShift.shift(clips, T, 4, ShiftDirection.UNIDIRECTIONAL, format);
        OnlineShift online = new OnlineShift(STREAMS, C, 4, H, W, format, DataType.DOUBLE);
        OnlineShift bound = new OnlineShift(STREAMS, C, 4, H, W, format, DataType.DOUBLE);
        // frames inside a wider array: views whose strides are not the default ones
        long[] wide = frameOf(clips, 0).shape();
        wide[3] += 2;
        INDArray frame = Nd4j.zeros(DataType.DOUBLE, wide).get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all(), NDArrayIndex.interval(1, wide[3] - 1));
        INDArray out = Nd4j.zeros(DataType.DOUBLE, wide).get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all(), NDArrayIndex.interval(1, wide[3] - 1));
        INDArray out2 = out.dup();
        try (OnlineShift.Bound b = bound.bind(frame, out2)) {
            for (int t = 0; t < T; t++) {
                frame.assign(frameOf(clips, t));
                online.apply(frame, out);
                b.run();
                assertEquals(frameOf(offline, t), out, "apply, frame " + t + " " + format);
                assertEquals(frameOf(offline, t), out2, "bound, frame " + t + " " + format);
            }
        }
    }

    @Test
    void bindRejectsTheSameArrayAsFrameAndOut() {
        OnlineShift online = new OnlineShift(STREAMS, C, 4, H, W, CNN2DFormat.NCHW, DataType.DOUBLE);
        INDArray frame = Nd4j.zeros(DataType.DOUBLE, STREAMS, C, H, W);
        assertEquals("OnlineShift.bind: out must be a different array from frame",
                assertThrows(IllegalArgumentException.class, () -> online.bind(frame, frame)).getMessage());
    }

    @Test
    void applyInPlaceGivesTheSameResult() {
        INDArray clips = TemporalShiftTest.random(CNN2DFormat.NCHW, STREAMS * T, C, H, W, 6);
        INDArray offline = TemporalShift.shift(clips, T, 8, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NCHW);
        OnlineShift online = new OnlineShift(STREAMS, C, 8, H, W, CNN2DFormat.NCHW, DataType.DOUBLE);
        for (int t = 0; t < T; t++) {
            INDArray frame = frameOf(clips, t);
            online.apply(frame, frame);
            assertEquals(frameOf(offline, t), frame, "frame " + t);
        }
    }

    @Test
    void resettingOneStreamRestartsOnlyThatStream() {
        INDArray first = TemporalShiftTest.random(CNN2DFormat.NCHW, STREAMS * T, C, H, W, 7);
        INDArray second = TemporalShiftTest.random(CNN2DFormat.NCHW, STREAMS * T, C, H, W, 8);
        // stream 1 switches to a new video after 2 frames; streams 0 and 2 go on with theirs
        INDArray fed = first.dup();
        for (int t = 2; t < T; t++) {
            fed.get(NDArrayIndex.point(T + t)).assign(second.get(NDArrayIndex.point(T + t - 2)));
        }
        INDArray offline = TemporalShift.shift(first, T, 4, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NCHW);
        INDArray offlineNew = TemporalShift.shift(second, T, 4, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NCHW);
        OnlineShift online = new OnlineShift(STREAMS, C, 4, H, W, CNN2DFormat.NCHW, DataType.DOUBLE);
        for (int t = 0; t < T; t++) {
            if (t == 2) {
                online.reset(1);
            }
            INDArray out = frameOf(fed, t).ulike();
            online.apply(frameOf(fed, t), out);
            INDArray expected = frameOf(offline, t);
            if (t >= 2) {
                expected.get(NDArrayIndex.point(1)).assign(offlineNew.get(NDArrayIndex.point(T + t - 2)));
            }
            assertEquals(expected, out, "frame " + t);
        }
    }

    @Test
    void resetAllStartsEveryStreamFromZeros() {
        INDArray clips = TemporalShiftTest.random(CNN2DFormat.NHWC, STREAMS * T, C, H, W, 9);
        INDArray offline = TemporalShift.shift(clips, T, 8, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NHWC);
        OnlineShift online = new OnlineShift(STREAMS, C, 8, H, W, CNN2DFormat.NHWC, DataType.DOUBLE);
        INDArray scratch = frameOf(clips, 0).ulike();
        online.apply(frameOf(clips, 3), scratch);
        online.reset();
        INDArray out = frameOf(clips, 0).ulike();
        online.apply(frameOf(clips, 0), out);
        assertEquals(frameOf(offline, 0), out);
    }

    @Test
    void cacheSurvivesTheWorkspaceOfTheCaller() {
        OnlineShift online;
        INDArray frame = Nd4j.ones(DataType.FLOAT, 1, 8, 1, 1);
        try (var ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace("tsm-test-ws")) {
            online = new OnlineShift(1, 8, 8, 1, 1, CNN2DFormat.NCHW, DataType.FLOAT);
            online.apply(frame, frame.dup());
        }
        INDArray out = frame.ulike();
        online.apply(frame.mul(2), out);
        assertEquals(1.0, out.getDouble(0, 0, 0, 0));
        assertEquals(2.0, out.getDouble(0, 1, 0, 0));
    }

    @Test
    void rejectsFramesOfAnotherShape() {
        OnlineShift online = new OnlineShift(2, 8, 8, 4, 4, CNN2DFormat.NCHW, DataType.FLOAT);
        INDArray wrong = Nd4j.create(DataType.FLOAT, 3, 8, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> online.apply(wrong, wrong));
        assertEquals("OnlineShift: frame shape [3, 8, 4, 4] differs from the state's [2, 8, 4, 4] [B, C, H, W] (NCHW)",
                e.getMessage());
    }

    @Test
    void rejectsFramesOfAnotherDataType() {
        OnlineShift online = new OnlineShift(1, 8, 8, 1, 1, CNN2DFormat.NHWC, DataType.FLOAT);
        INDArray wrong = Nd4j.create(DataType.DOUBLE, 1, 1, 1, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> online.apply(wrong, wrong));
        assertEquals("OnlineShift: frame data type DOUBLE differs from the state's FLOAT", e.getMessage());
    }

    @Test
    void rejectsBadConstruction() {
        assertEquals("OnlineShift: streams must be >= 1, found 0", assertThrows(IllegalArgumentException.class,
                () -> new OnlineShift(0, 8, 8, 1, 1, CNN2DFormat.NCHW)).getMessage());
        assertEquals("OnlineShift: foldDiv must be >= 2, found 1", assertThrows(IllegalArgumentException.class,
                () -> new OnlineShift(1, 8, 1, 1, 1, CNN2DFormat.NCHW)).getMessage());
        assertEquals("OnlineShift: channels C = 4 < foldDiv = 8 (fold would be 0 and nothing would shift)",
                assertThrows(IllegalArgumentException.class,
                        () -> new OnlineShift(1, 4, 8, 1, 1, CNN2DFormat.NCHW)).getMessage());
        assertEquals("OnlineShift: height and width must be >= 1, found 0x3", assertThrows(IllegalArgumentException.class,
                () -> new OnlineShift(1, 8, 8, 0, 3, CNN2DFormat.NCHW)).getMessage());
    }

    @Test
    void rejectsResetOfAStreamOutOfRange() {
        OnlineShift online = new OnlineShift(2, 8, 8, 1, 1, CNN2DFormat.NCHW);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> online.reset(2));
        assertEquals("OnlineShift: stream must be in [0, 2), found 2", e.getMessage());
    }
}
