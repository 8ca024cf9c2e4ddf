package io.github.tsm4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

@ExtendWith(RestoreNd4jGlobals.class) // sets double-precision defaults / threads / properties
class TemporalShiftTest {

    /** One clip, T = 3, C = 4, H = 1, W = 2, NCHW; value = 100·(t+1) + 10·c + w. */
    private static INDArray clip() {
        INDArray x = Nd4j.create(DataType.FLOAT, 3, 4, 1, 2);
        for (int t = 0; t < 3; t++) {
            for (int c = 0; c < 4; c++) {
                for (int w = 0; w < 2; w++) {
                    x.putScalar(new long[] {t, c, 0, w}, 100 * (t + 1) + 10 * c + w);
                }
            }
        }
        return x;
    }

    private static INDArray nchw(float[][][] frames) {
        INDArray x = Nd4j.create(DataType.FLOAT, frames.length, frames[0].length, 1, frames[0][0].length);
        for (int t = 0; t < frames.length; t++) {
            for (int c = 0; c < frames[t].length; c++) {
                for (int w = 0; w < frames[t][c].length; w++) {
                    x.putScalar(new long[] {t, c, 0, w}, frames[t][c][w]);
                }
            }
        }
        return x;
    }

    private static final INDArray BIDIRECTIONAL_GOLDEN = nchw(new float[][][] {
        {{200, 201}, {0, 0}, {120, 121}, {130, 131}},
        {{300, 301}, {110, 111}, {220, 221}, {230, 231}},
        {{0, 0}, {210, 211}, {320, 321}, {330, 331}},
    });

    private static final INDArray UNIDIRECTIONAL_GOLDEN = nchw(new float[][][] {
        {{0, 0}, {110, 111}, {120, 121}, {130, 131}},
        {{100, 101}, {210, 211}, {220, 221}, {230, 231}},
        {{200, 201}, {310, 311}, {320, 321}, {330, 331}},
    });

    @Test
    void bidirectionalMovesFirstFoldOneFrameEarlierAndSecondFoldOneFrameLater() {
        INDArray out = TemporalShift.shift(clip(), 3, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
        assertEquals(BIDIRECTIONAL_GOLDEN, out);
    }

    @Test
    void unidirectionalMovesFirstFoldOneFrameLater() {
        INDArray out = TemporalShift.shift(clip(), 3, 4, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NCHW);
        assertEquals(UNIDIRECTIONAL_GOLDEN, out);
    }

    @Test
    void nhwcGivesTheSameGoldenValues() {
        INDArray in = clip().permute(0, 2, 3, 1).dup('c');
        INDArray bi = TemporalShift.shift(in, 3, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC);
        INDArray uni = TemporalShift.shift(in, 3, 4, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NHWC);
        assertEquals(BIDIRECTIONAL_GOLDEN, bi.permute(0, 3, 1, 2));
        assertEquals(UNIDIRECTIONAL_GOLDEN, uni.permute(0, 3, 1, 2));
    }

    @Test
    void nhwcGoldenValuesSpelledOut() {
        // [T=2, H=1, W=1, C=4], fold 1: channel 0 from t+1, channel 1 from t−1
        INDArray in = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new long[] {2, 1, 1, 4}, DataType.FLOAT);
        INDArray out = TemporalShift.shift(in, 2, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC);
        assertEquals(Nd4j.create(new float[] {5, 0, 3, 4, 0, 2, 7, 8}, new long[] {2, 1, 1, 4}, DataType.FLOAT), out);
    }

    @Test
    void singleFrameClipGetsZerosInEveryShiftedChannel() {
        INDArray in = clip().get(NDArrayIndex.interval(1, 2)).dup();
        INDArray bi = TemporalShift.shift(in, 1, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
        INDArray uni = TemporalShift.shift(in, 1, 4, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NCHW);
        assertEquals(nchw(new float[][][] {{{0, 0}, {0, 0}, {220, 221}, {230, 231}}}), bi);
        assertEquals(nchw(new float[][][] {{{0, 0}, {210, 211}, {220, 221}, {230, 231}}}), uni);
    }

    @Test
    void twoFrameClipSwapsTheShiftedChannelsAcrossItsFrames() {
        INDArray in = clip().get(NDArrayIndex.interval(0, 2)).dup();
        INDArray bi = TemporalShift.shift(in, 2, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
        assertEquals(nchw(new float[][][] {
            {{200, 201}, {0, 0}, {120, 121}, {130, 131}},
            {{0, 0}, {110, 111}, {220, 221}, {230, 231}},
        }), bi);
    }

    @Test
    void clipsOfOneBatchDoNotLeakIntoEachOther() {
        // two clips of T = 3 back to back: the second clip's first frame must see zeros, not clip 1
        INDArray two = Nd4j.concat(0, clip(), clip().add(1000));
        INDArray out = TemporalShift.shift(two, 3, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
        assertEquals(Nd4j.concat(0, BIDIRECTIONAL_GOLDEN, BIDIRECTIONAL_GOLDEN.add(
                nchw(new float[][][] {
                    {{1000, 1000}, {0, 0}, {1000, 1000}, {1000, 1000}},
                    {{1000, 1000}, {1000, 1000}, {1000, 1000}, {1000, 1000}},
                    {{0, 0}, {1000, 1000}, {1000, 1000}, {1000, 1000}},
                }))), out);
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void matchesTheReferenceLoopForEveryClipLengthDirectionAndRemainderFold(CNN2DFormat format) {
        for (ShiftDirection direction : ShiftDirection.values()) {
            for (int segments : new int[] {1, 2, 3, 5}) {
                // C = 5, foldDiv = 2: fold = 2, channel 4 never moves
                INDArray in = random(format, 2 * segments, 5, 2, 3, 7 + segments);
                INDArray out = TemporalShift.shift(in, segments, 2, direction, format);
                assertEquals(reference(in, segments, 2, direction, format), out,
                        direction + " T=" + segments + " " + format);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void worksOnNonContiguousViewsInAndOut(CNN2DFormat format) {
        // a permuted (non-c-order) input and an output that is a view into a larger array
        INDArray in = format == CNN2DFormat.NCHW
                ? Nd4j.rand(DataType.DOUBLE, 6, 8, 3, 2).permute(0, 1, 3, 2)   // [6, 8, 2, 3]
                : Nd4j.rand(DataType.DOUBLE, 6, 3, 2, 8).permute(0, 2, 1, 3);  // [6, 2, 3, 8]
        long[] holderShape = in.shape().clone();
        holderShape[2] += 2;
        INDArray holder = Nd4j.zeros(DataType.DOUBLE, holderShape);
        INDArray out = holder.get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(1, 1 + in.size(2)), NDArrayIndex.all());
        TemporalShift.forward(in, out, 3, 4, ShiftDirection.BIDIRECTIONAL, format);
        assertEquals(reference(in.dup('c'), 3, 4, ShiftDirection.BIDIRECTIONAL, format), out.dup('c'));
        assertEquals(0.0, holder.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0),
                NDArrayIndex.all()).amaxNumber().doubleValue());
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void worksOnContiguousFramesWithGapsBetweenThem(CNN2DFormat format) {
        // every second frame of a larger batch: each frame contiguous, frame stride twice the frame size
        INDArray big = random(format, 12, 8, 2, 3, 13);
        INDArray in = big.get(NDArrayIndex.interval(0, 2, 12), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        INDArray holder = Nd4j.zeros(DataType.DOUBLE, big.shape());
        INDArray out = holder.get(NDArrayIndex.interval(1, 2, 12), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        for (ShiftDirection direction : ShiftDirection.values()) {
            TemporalShift.forward(in, out, 3, 4, direction, format);
            assertEquals(reference(in.dup('c'), 3, 4, direction, format), out.dup('c'), direction.toString());
            INDArray back = in.ulike();
            TemporalShift.backward(in, back, 3, 4, direction, format);
            double lhs = out.mul(in).sumNumber().doubleValue();
            double rhs = in.mul(back).sumNumber().doubleValue();
            assertEquals(lhs, rhs, 1e-12 * Math.abs(lhs));
        }
        assertEquals(0.0, holder.get(NDArrayIndex.interval(0, 2, 12), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all()).amaxNumber().doubleValue(), "frames between the output frames stay untouched");
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void backwardIsTheAdjointOfForward(CNN2DFormat format) {
        for (ShiftDirection direction : ShiftDirection.values()) {
            for (int segments : new int[] {1, 2, 4}) {
                INDArray x = random(format, 3 * segments, 16, 3, 2, 11);
                INDArray y = random(format, 3 * segments, 16, 3, 2, 12);
                INDArray sx = x.ulike();
                INDArray sty = y.ulike();
                TemporalShift.forward(x, sx, segments, 8, direction, format);
                TemporalShift.backward(y, sty, segments, 8, direction, format);
                double lhs = sx.mul(y).sumNumber().doubleValue();
                double rhs = x.mul(sty).sumNumber().doubleValue();
                assertEquals(lhs, rhs, 1e-12 * Math.abs(lhs), direction + " T=" + segments + " " + format);
            }
        }
    }

    @Test
    void backwardOfBidirectionalIsTheShiftTheOtherWay() {
        INDArray g = clip();
        INDArray back = g.ulike();
        TemporalShift.backward(g, back, 3, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
        assertEquals(nchw(new float[][][] {
            {{0, 0}, {210, 211}, {120, 121}, {130, 131}},
            {{100, 101}, {310, 311}, {220, 221}, {230, 231}},
            {{200, 201}, {0, 0}, {320, 321}, {330, 331}},
        }), back);
    }

    /**
     * Every kernel, forward and backward, both layouts, both data types, odd shapes, T = 1, fold = 0 (C &lt; foldDiv),
     * 1, 2 and ND4J's threads: bit-identical to {@link TemporalShift.Kernel#REFERENCE}, which equals this test's own
     * loop.
     */
    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void everyKernelEqualsTheReferenceExactlyForwardAndBackward(CNN2DFormat format) {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (ShiftDirection direction : ShiftDirection.values()) {
                for (int segments : new int[] {1, 2, 3, 5}) {
                    for (int[] channelsAndDiv : new int[][] {{5, 2}, {16, 8}, {24, 4}, {7, 8}, {3, 2}}) {
                        String what = type + " " + direction + " T=" + segments + " C=" + channelsAndDiv[0]
                                + " foldDiv=" + channelsAndDiv[1] + " " + format;
                        INDArray x = random(format, 2 * segments, channelsAndDiv[0], 3, 5, 5 + segments).castTo(type);
                        INDArray[] ref = shiftBothWays(x, segments, channelsAndDiv[1], direction, format,
                                TemporalShift.Kernel.REFERENCE, 1);
                        assertEquals(reference(x, segments, channelsAndDiv[1], direction, format), ref[0], what);
                        for (TemporalShift.Kernel kernel : new TemporalShift.Kernel[] {
                            TemporalShift.Kernel.HOST, TemporalShift.Kernel.VIEWS, TemporalShift.Kernel.ONEDNN}) {
                            for (int threads : new int[] {1, 2, 0}) {
                                INDArray[] got = shiftBothWays(x, segments, channelsAndDiv[1], direction, format,
                                        kernel, threads);
                                assertEquals(ref[0], got[0], "forward " + kernel + " threads " + threads + " " + what);
                                assertEquals(ref[1], got[1], "backward " + kernel + " threads " + threads + " " + what);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void foldZeroMovesNothingAsTheOfficialCode() {
        // C = 4 < foldDiv = 8: fold = C // 8 = 0 in the official code, every slice is empty and out = x
        INDArray x = random(CNN2DFormat.NHWC, 4, 4, 2, 3, 17).castTo(DataType.FLOAT);
        for (ShiftDirection direction : ShiftDirection.values()) {
            assertEquals(x, TemporalShift.shift(x, 2, 8, direction, CNN2DFormat.NHWC), direction.toString());
        }
        assertEquals(List.of(new ShiftPlan.Move(0, 4, 0)),
                ShiftPlan.of(ShiftDirection.BIDIRECTIONAL, false, 4, 8, 2).moves());
    }

    @Test
    void thePlanStatesThePaperBlockByBlock() {
        assertEquals(List.of(new ShiftPlan.Move(0, 32, +1), new ShiftPlan.Move(32, 64, -1),
                new ShiftPlan.Move(64, 256, 0)), ShiftPlan.of(ShiftDirection.BIDIRECTIONAL, false, 256, 8, 8).moves());
        assertEquals(List.of(new ShiftPlan.Move(0, 32, -1), new ShiftPlan.Move(32, 64, +1),
                new ShiftPlan.Move(64, 256, 0)), ShiftPlan.of(ShiftDirection.BIDIRECTIONAL, true, 256, 8, 8).moves());
        assertEquals(List.of(new ShiftPlan.Move(0, 2, -1), new ShiftPlan.Move(2, 17, 0)),
                ShiftPlan.of(ShiftDirection.UNIDIRECTIONAL, false, 17, 8, 8).moves());
        assertEquals(List.of(new ShiftPlan.Move(0, 2, +1), new ShiftPlan.Move(2, 17, 0)),
                ShiftPlan.of(ShiftDirection.UNIDIRECTIONAL, true, 17, 8, 8).moves());
        assertEquals(-1, new ShiftPlan.Move(0, 1, +1).source(7, 8));
        assertEquals(6, new ShiftPlan.Move(0, 1, -1).source(7, 8));
        assertThrows(IllegalArgumentException.class,
                () -> new ShiftPlan(8, 10, 1, List.of(new ShiftPlan.Move(0, 4, 1), new ShiftPlan.Move(5, 10, 0))));
    }

    /**
     * The host kernels split over threads where each part moves at least {@code minPartBytes}: with 1 byte, 3 clips
     * of T = 3 at 5×7 pixels are split in the middle of a frame (NHWC) and of a channel block (NCHW).
     */
    @ParameterizedTest
    @EnumSource(ShiftDirection.class)
    void hostKernelsSplitOverThreadsEqualTheReference(ShiftDirection direction) {
        for (CNN2DFormat format : CNN2DFormat.values()) {
            ShiftKernel kernel = format == CNN2DFormat.NCHW ? new NchwBlockShiftKernel(1) : new NhwcPixelShiftKernel(1);
            INDArray x = random(format, 9, 16, 5, 7, 31).castTo(DataType.FLOAT);
            for (boolean adjoint : new boolean[] {false, true}) {
                ShiftPlan plan = ShiftPlan.of(direction, adjoint, 16, 8, 3);
                INDArray expected = Nd4j.valueArrayOf(x.shape(), -7.0, x.dataType());
                ReferenceShiftKernel.INSTANCE.run(plan, x, expected, format, 1);
                for (int threads : new int[] {2, 3}) {
                    INDArray got = Nd4j.valueArrayOf(x.shape(), -7.0, x.dataType());
                    kernel.run(plan, x, got, format, threads);
                    assertEquals(expected, got, format + " adjoint " + adjoint + " threads " + threads);
                }
            }
        }
    }

    @Test
    void kernelAndThreadsAreCheckedAndNamed() {
        INDArray x = random(CNN2DFormat.NCHW, 4, 8, 2, 2, 3);
        assertEquals("TemporalShift: kernel is null, expected HOST, VIEWS, REFERENCE or ONEDNN", assertThrows(IllegalArgumentException.class,
                () -> TemporalShift.forward(x, x.ulike(), 2, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW, null, 1))
                .getMessage());
        assertEquals("TemporalShift: threads must be >= 0 (1 = calling thread, 0 = ND4J's thread count), found -2",
                assertThrows(IllegalArgumentException.class, () -> TemporalShift.backward(x, x.ulike(), 2, 4,
                        ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW, TemporalShift.Kernel.HOST, -2)).getMessage());
    }

    /** Forward S x and backward Sᵀ x with the given kernel, into fresh arrays. */
    private static INDArray[] shiftBothWays(INDArray x, int segments, int foldDiv, ShiftDirection direction,
            CNN2DFormat format, TemporalShift.Kernel kernel) {
        return shiftBothWays(x, segments, foldDiv, direction, format, kernel, 1);
    }

    private static INDArray[] shiftBothWays(INDArray x, int segments, int foldDiv, ShiftDirection direction,
            CNN2DFormat format, TemporalShift.Kernel kernel, int threads) {
        INDArray forward = Nd4j.valueArrayOf(x.shape(), -7.0, x.dataType());   // every element must be written
        INDArray backward = Nd4j.valueArrayOf(x.shape(), -7.0, x.dataType());
        TemporalShift.forward(x, forward, segments, foldDiv, direction, format, kernel, threads);
        TemporalShift.backward(x, backward, segments, foldDiv, direction, format, kernel, threads);
        return new INDArray[] {forward, backward};
    }

    @Test
    void rejectsRankOtherThanFour() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TemporalShift.shift(Nd4j.create(DataType.FLOAT, 2, 3, 4), 1, 2,
                        ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW));
        assertEquals("TemporalShift: input must have rank 4 [N·T, C, H, W] (NCHW), found rank 3 with shape [2, 3, 4]",
                e.getMessage());
    }

    @Test
    void rejectsBatchNotDivisibleBySegments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TemporalShift.shift(Nd4j.create(DataType.FLOAT, 5, 8, 1, 1), 2, 8,
                        ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW));
        assertEquals("TemporalShift: first dimension N·T = 5 is not divisible by segments T = 2; expected "
                + "[N·T, C, H, W] (NCHW) with the T frames of each clip contiguous, found shape [5, 8, 1, 1]",
                e.getMessage());
    }

    @Test
    void rejectsFoldDivBelowTwo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TemporalShift.shift(Nd4j.create(DataType.FLOAT, 2, 8, 1, 1), 2, 1,
                        ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW));
        assertEquals("TemporalShift: foldDiv must be >= 2, found 1", e.getMessage());
    }

    @Test
    void rejectsSegmentsBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TemporalShift.shift(Nd4j.create(DataType.FLOAT, 2, 8, 1, 1), 0, 8,
                        ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW));
        assertEquals("TemporalShift: segments must be >= 1, found 0", e.getMessage());
    }

    @Test
    void rejectsOutputOfAnotherShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TemporalShift.forward(Nd4j.create(DataType.FLOAT, 2, 8, 1, 1),
                        Nd4j.create(DataType.FLOAT, 2, 8, 1, 2), 2, 8, ShiftDirection.BIDIRECTIONAL,
                        CNN2DFormat.NCHW));
        assertEquals("TemporalShift: output shape [2, 8, 1, 2] differs from input shape [2, 8, 1, 1] "
                + "[N·T, C, H, W] (NCHW)", e.getMessage());
    }

    @Test
    void backwardValidatesLikeForward() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TemporalShift.backward(Nd4j.create(DataType.FLOAT, 3, 8, 1, 1),
                        Nd4j.create(DataType.FLOAT, 3, 8, 1, 1), 2, 8, ShiftDirection.BIDIRECTIONAL,
                        CNN2DFormat.NCHW));
        assertEquals("TemporalShift: first dimension N·T = 3 is not divisible by segments T = 2; expected "
                + "[N·T, C, H, W] (NCHW) with the T frames of each clip contiguous, found shape [3, 8, 1, 1]",
                e.getMessage());
    }

    static INDArray random(CNN2DFormat format, int frames, int channels, int h, int w, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return switch (format) {
            case NCHW -> Nd4j.randn(DataType.DOUBLE, frames, channels, h, w);
            case NHWC -> Nd4j.randn(DataType.DOUBLE, frames, h, w, channels);
        };
    }

    /** The definition, element by element. */
    static INDArray reference(INDArray in, int segments, int foldDiv, ShiftDirection direction, CNN2DFormat format) {
        INDArray out = Nd4j.zeros(in.dataType(), in.shape());
        int channelAxis = format == CNN2DFormat.NCHW ? 1 : 3;
        long channels = in.size(channelAxis);
        long fold = channels / foldDiv;
        long[] pos = new long[4];
        for (long i = 0; i < in.length(); i++) {
            long rem = i;
            for (int d = 3; d >= 0; d--) {
                pos[d] = rem % in.size(d);
                rem /= in.size(d);
            }
            long t = pos[0] % segments;
            long c = pos[channelAxis];
            int step = switch (direction) {
                case BIDIRECTIONAL -> c < fold ? +1 : c < 2 * fold ? -1 : 0;
                case UNIDIRECTIONAL -> c < fold ? -1 : 0;
            };
            long src = t + step;
            if (src >= 0 && src < segments) {
                long[] from = pos.clone();
                from[0] = pos[0] + step;
                out.putScalar(pos, in.getDouble(from));
            }
        }
        return out;
    }
}
