package io.github.tsm4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.conv.OneDnn;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The oneDNN shift ({@link OneDnnShift}, {@link TemporalShift.Kernel#ONEDNN}): bit-identical to the definition on
 * the geometries the reorders see — clips of several frames, T = 1 (only zeros move in), fold = 0 (a plain copy),
 * views with gaps between frames and between pixels, forward and adjoint — and bound reorders re-pointed at other
 * arrays.
 */
@ExtendWith(RestoreNd4jGlobals.class)
class OneDnnShiftTest {

    @BeforeAll
    static void natives() {
        assertTrue(OneDnn.available(), "oneDNN's natives are a test dependency of tsm-core");
    }

    private static INDArray random(CNN2DFormat format, int frames, int channels, int h, int w, long seed) {
        return TemporalShiftTest.random(format, frames, channels, h, w, seed).castTo(DataType.FLOAT);
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void boundShiftEqualsTheDefinitionForEveryClipLengthAndFold(CNN2DFormat format) {
        for (ShiftDirection direction : ShiftDirection.values()) {
            for (boolean adjoint : new boolean[] {false, true}) {
                for (int segments : new int[] {1, 2, 3, 8}) {
                    for (int[] cd : new int[][] {{16, 8}, {7, 8}, {24, 4}, {5, 2}}) {
                        String what = direction + (adjoint ? " adjoint" : "") + " T=" + segments + " C=" + cd[0]
                                + " foldDiv=" + cd[1] + " " + format;
                        INDArray x = random(format, 3 * segments, cd[0], 3, 5, segments + cd[0]);
                        INDArray y = Nd4j.valueArrayOf(x.shape(), -7f, DataType.FLOAT); // all written
                        ShiftPlan plan = ShiftPlan.of(direction, adjoint, cd[0], cd[1], segments);
                        try (OneDnnShift shift = OneDnnShift.bind(plan, x, y, format)) {
                            shift.run();
                        }
                        INDArray expected = x.ulike();
                        ReferenceShiftKernel.INSTANCE.run(plan, x, expected, format, 1);
                        assertEquals(expected, y, what);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void stridedViewsInAndOutLeaveTheGapsAlone(CNN2DFormat format) {
        // every second frame of the input; the output a window of a wider array (a gap inside every frame)
        INDArray big = random(format, 12, 16, 4, 3, 5);
        INDArray in = big.get(NDArrayIndex.interval(0, 2, 12), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        long[] holderShape = in.shape().clone();
        holderShape[2] += 2;
        INDArray holder = Nd4j.valueArrayOf(holderShape, 5f, DataType.FLOAT);
        INDArray out = holder.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 1 + in.size(2)),
                NDArrayIndex.all());
        TemporalShift.forward(in, out, 3, 8, ShiftDirection.BIDIRECTIONAL, format, TemporalShift.Kernel.ONEDNN, 1);
        assertEquals(TemporalShiftTest.reference(in.dup('c'), 3, 8, ShiftDirection.BIDIRECTIONAL, format),
                out.dup('c'));
        for (long edge : new long[] {0, holderShape[2] - 1}) {
            INDArray untouched = holder.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(edge),
                    NDArrayIndex.all());
            assertEquals(5.0, untouched.minNumber().doubleValue());
            assertEquals(5.0, untouched.maxNumber().doubleValue());
        }
    }

    @Test
    void theKernelRepointsItsBoundReordersAtEachCallsArrays() {
        // same geometry, new arrays every call: the per-thread plan is reused, the data must follow the arrays
        for (int call = 0; call < 3; call++) {
            INDArray x = random(CNN2DFormat.NHWC, 16, 32, 5, 4, 100 + call);
            INDArray y = x.ulike();
            TemporalShift.forward(x, y, 8, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC,
                    TemporalShift.Kernel.ONEDNN, 1);
            assertEquals(TemporalShiftTest.reference(x, 8, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC), y,
                    "call " + call);
        }
        // more geometries than a thread keeps: the eldest are dropped and rebuilt, results stay exact
        for (int round = 0; round < 2; round++) {
            for (int c = 8; c < 8 + 2 * OneDnnShiftKernel.KEPT; c += 2) {
                INDArray x = random(CNN2DFormat.NCHW, 4, c, 3, 3, c);
                INDArray y = x.ulike();
                TemporalShift.backward(x, y, 2, 4, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NCHW,
                        TemporalShift.Kernel.ONEDNN, 1);
                INDArray expected = x.ulike();
                TemporalShift.backward(x, expected, 2, 4, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NCHW,
                        TemporalShift.Kernel.REFERENCE, 1);
                assertEquals(expected, y, "C=" + c + " round " + round);
            }
        }
    }

    @Test
    void takesOnlyFloatHostArraysAndSaysWhatItNeeds() {
        INDArray d = Nd4j.create(DataType.DOUBLE, 8, 4, 2, 2);
        INDArray f = Nd4j.create(DataType.FLOAT, 8, 4, 2, 2);
        assertFalse(OneDnnShift.supports(d, d.ulike()));
        assertTrue(OneDnnShift.supports(f, f.ulike()));
        ShiftPlan plan = ShiftPlan.of(ShiftDirection.BIDIRECTIONAL, false, 4, 2, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OneDnnShift.bind(plan, d, d.ulike(), CNN2DFormat.NCHW));
        assertTrue(e.getMessage().startsWith("OneDnnShift needs float32 rank-4 host arrays"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> OneDnnShift.bind(ShiftPlan.of(ShiftDirection.BIDIRECTIONAL, false, 4, 2, 3), f, f.ulike(),
                        CNN2DFormat.NCHW));
        assertEquals("OneDnnShift: arrays of shape [8, 4, 2, 2] and [8, 4, 2, 2] do not fit a plan of 4 channels "
                + "and 3 frames per clip (NCHW)", e.getMessage());
        // double arrays asked for ONEDNN take the host kernels, with the same result
        INDArray x = TemporalShiftTest.random(CNN2DFormat.NHWC, 4, 8, 2, 3, 9);
        INDArray y = x.ulike();
        TemporalShift.forward(x, y, 2, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC,
                TemporalShift.Kernel.ONEDNN, 1);
        assertEquals(TemporalShiftTest.reference(x, 2, 4, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC), y);
    }
}
