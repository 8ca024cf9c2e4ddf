package io.github.tsm4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

@ExtendWith(RestoreNd4jGlobals.class)
class InPlaceShiftTest {

    /**
     * apply() leaves exactly the reference shift in the array, undo() exactly the input: every layout, direction,
     * data type, clip length (T = 1 included), fold (fold = 0 included) and odd frame sizes, two clips per batch,
     * applied twice in a row (the side buffer is reused).
     */
    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void applyIsTheShiftAndUndoGivesTheInputBackBitForBit(CNN2DFormat format) {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (ShiftDirection direction : ShiftDirection.values()) {
                for (int segments : new int[] {1, 2, 3, 5}) {
                    for (int[] cd : new int[][] {{5, 2}, {16, 8}, {24, 4}, {7, 8}, {3, 2}, {64, 8}}) {
                        String what = type + " " + direction + " T=" + segments + " C=" + cd[0] + " foldDiv=" + cd[1]
                                + " " + format;
                        INDArray x = TemporalShiftTest.random(format, 2 * segments, cd[0], 3, 5, 7 + segments)
                                .castTo(type);
                        INDArray original = x.dup();
                        INDArray expected = TemporalShiftTest.reference(x, segments, cd[1], direction, format);
                        for (int threads : new int[] {1, 2, 0}) {
                            // a part of 64 bytes: two threads split even these small frames into pixel ranges
                            InPlaceShift shift = InPlaceShift.of(x, segments, cd[1], direction, format, threads, 64);
                            for (int round = 0; round < 2; round++) {
                                shift.apply();
                                assertEquals(expected, x, "apply, round " + round + ", threads " + threads + ", " + what);
                                shift.undo();
                                assertEquals(original, x, "undo, round " + round + ", threads " + threads + ", " + what);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The oneDNN engine ({@code Kernel.ONEDNN}): the same exactness matrix for float32 (double arrays stay on the
     * host engine, which the test checks too), each array used by two bound shifts in turn, as the executor's blocks
     * share buffers.
     */
    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void theOneDnnEngineIsTheShiftAndUndoesBitForBit(CNN2DFormat format) {
        assertTrue(io.github.tsm4j.core.conv.OneDnn.available(), "oneDNN's natives are a test dependency of tsm-core");
        for (ShiftDirection direction : ShiftDirection.values()) {
            for (int segments : new int[] {1, 2, 3, 8}) {
                for (int[] cd : new int[][] {{5, 2}, {16, 8}, {24, 4}, {7, 8}, {3, 2}, {64, 8}}) {
                    String what = direction + " T=" + segments + " C=" + cd[0] + " foldDiv=" + cd[1] + " " + format;
                    INDArray x = TemporalShiftTest.random(format, 3 * segments, cd[0], 3, 5, 7 + segments)
                            .castTo(DataType.FLOAT);
                    INDArray original = x.dup();
                    INDArray expected = TemporalShiftTest.reference(x, segments, cd[1], direction, format);
                    boolean moves = TemporalShift.fold(cd[0], cd[1]) > 0;
                    try (InPlaceShift a = InPlaceShift.of(x, segments, cd[1], direction, format,
                            TemporalShift.Kernel.ONEDNN, 1);
                            InPlaceShift b = InPlaceShift.of(x, segments, cd[1], direction, format,
                                    TemporalShift.Kernel.ONEDNN, 1)) {
                        assertEquals(moves, a.onOneDnn(), "oneDNN engine bound where channels move, " + what);
                        for (InPlaceShift shift : new InPlaceShift[] {a, b, a}) {
                            shift.apply();
                            assertEquals(expected, x, "apply, " + what);
                            shift.undo();
                            assertEquals(original, x, "undo, " + what);
                        }
                    }
                    INDArray wide = x.castTo(DataType.DOUBLE);
                    try (InPlaceShift d = InPlaceShift.of(wide, segments, cd[1], direction, format,
                            TemporalShift.Kernel.ONEDNN, 1)) {
                        assertFalse(d.onOneDnn(), "double stays on the host engine, " + what);
                        d.apply();
                        assertEquals(expected.castTo(DataType.DOUBLE), wide, "double apply, " + what);
                    }
                }
            }
        }
    }

    @Test
    void theOneDnnEngineKeepsEveryFramesMovedChannelsAndOnlyThose() {
        assertTrue(io.github.tsm4j.core.conv.OneDnn.available(), "oneDNN's natives are a test dependency of tsm-core");
        INDArray x = Nd4j.rand(DataType.FLOAT, 3 * 8, 7, 5, 64);
        // bidirectional, fold 8: channels [0, 16) of all 24 frames; unidirectional: [0, 8)
        try (InPlaceShift bi = InPlaceShift.of(x, 8, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC,
                TemporalShift.Kernel.ONEDNN, 1);
                InPlaceShift uni = InPlaceShift.of(x, 8, 8, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NHWC,
                        TemporalShift.Kernel.ONEDNN, 1);
                InPlaceShift host = InPlaceShift.of(x, 8, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC,
                        TemporalShift.Kernel.HOST, 1)) {
            assertEquals(24 * 35 * 16, bi.savedElements());
            assertEquals(24 * 35 * 8, uni.savedElements());
            assertFalse(host.onOneDnn());
            assertEquals(3 * 2 * 8 * 35, host.savedElements());
        }
    }

    /**
     * Shifts of different blocks sharing one side buffer, used one at a time as the executor runs them: exact,
     * one buffer as large as the largest reservation, and a buffer that grows after first use is picked up.
     */
    @Test
    void oneDnnShiftsShareOneSideBufferWhenUsedOneAtATime() {
        INDArray small = TemporalShiftTest.random(CNN2DFormat.NHWC, 8, 16, 3, 5, 7).castTo(DataType.FLOAT);
        INDArray large = TemporalShiftTest.random(CNN2DFormat.NCHW, 16, 32, 4, 5, 8).castTo(DataType.FLOAT);
        INDArray later = TemporalShiftTest.random(CNN2DFormat.NHWC, 8, 64, 6, 5, 9).castTo(DataType.FLOAT);
        INDArray[] arrays = {small, large, later};
        CNN2DFormat[] formats = {CNN2DFormat.NHWC, CNN2DFormat.NCHW, CNN2DFormat.NHWC};
        INDArray[] originals = new INDArray[3];
        INDArray[] expected = new INDArray[3];
        for (int i = 0; i < 3; i++) {
            originals[i] = arrays[i].dup();
            expected[i] = TemporalShiftTest.reference(arrays[i], 4, 8, ShiftDirection.BIDIRECTIONAL, formats[i]);
        }
        try (ShiftSideBuffer side = new ShiftSideBuffer()) {
            InPlaceShift a = InPlaceShift.of(small, 4, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC,
                    TemporalShift.Kernel.ONEDNN, 1, side);
            InPlaceShift b = InPlaceShift.of(large, 4, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW,
                    TemporalShift.Kernel.ONEDNN, 1, side);
            assertEquals(16 * 4 * 5 * 8, side.reservedElements(), "the largest reservation: 16 frames x 8 channels");
            assertEquals(0, side.elements(), "allocated at the first apply");
            InPlaceShift[] shifts = {a, b, null};
            for (int round = 0; round < 3; round++) {
                if (round == 2) {
                    // bound after the buffer exists and larger than it: the buffer grows, a and b re-point
                    shifts[2] = InPlaceShift.of(later, 4, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC,
                            TemporalShift.Kernel.ONEDNN, 1, side);
                }
                for (int i = 0; i < 3; i++) {
                    if (shifts[i] == null) {
                        continue;
                    }
                    shifts[i].apply();
                    assertEquals(expected[i], arrays[i], "apply " + i + ", round " + round);
                    shifts[i].undo();
                    assertEquals(originals[i], arrays[i], "undo " + i + ", round " + round);
                }
                assertEquals(round < 2 ? 16 * 4 * 5 * 8 : 8 * 6 * 5 * 16, side.elements(), "round " + round);
            }
            for (InPlaceShift s : shifts) {
                s.close();
            }
        }
    }

    @Test
    void sideBufferHoldsOnlyTheFramesAMoveOverwritesWithoutReading() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 3 * 8, 7, 5, 64);
        // bidirectional, fold 8: two moves of 8 channels, one lost frame each, per clip: 3 · 2 · 1 · 8 · 35
        assertEquals(3 * 2 * 8 * 35, InPlaceShift.of(x, 8, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC)
                .savedElements());
        assertEquals(3 * 8 * 35, InPlaceShift.of(x, 8, 8, ShiftDirection.UNIDIRECTIONAL, CNN2DFormat.NHWC)
                .savedElements());
        // fold = 0 (C = 5 < 8): nothing moves, nothing is saved and apply() changes nothing
        INDArray small = Nd4j.rand(DataType.FLOAT, 8, 5, 3, 3);
        INDArray before = small.dup();
        InPlaceShift none = InPlaceShift.of(small, 4, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
        assertEquals(0, none.savedElements());
        none.apply();
        assertEquals(before, small);
    }

    /** Both engines on a view at an offset of a larger buffer, as the executor's activations are. */
    @ParameterizedTest
    @EnumSource(value = TemporalShift.Kernel.class, names = {"HOST", "ONEDNN"})
    void aViewAtAnOffsetOfALargerBufferIsShiftedWhereItLies(TemporalShift.Kernel kernel) {
        INDArray flat = Nd4j.rand(DataType.FLOAT, 1000);
        INDArray outside = flat.get(NDArrayIndex.interval(0, 100)).dup();
        INDArray after = flat.get(NDArrayIndex.interval(100 + 4 * 2 * 3 * 16, 1000)).dup();
        INDArray x = flat.get(NDArrayIndex.interval(100, 100 + 4 * 2 * 3 * 16)).reshape('c', 4, 2, 3, 16);
        INDArray original = x.dup();
        try (InPlaceShift s = InPlaceShift.of(x, 4, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC, kernel, 1)) {
            assertEquals(kernel == TemporalShift.Kernel.ONEDNN, s.onOneDnn());
            s.apply();
            assertEquals(TemporalShiftTest.reference(original, 4, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC),
                    x);
            assertEquals(outside, flat.get(NDArrayIndex.interval(0, 100)), "memory before the view is not touched");
            assertEquals(after, flat.get(NDArrayIndex.interval(100 + 4 * 2 * 3 * 16, 1000)),
                    "memory after the view is not touched");
            s.undo();
            assertEquals(original, x);
            assertNotEquals(0, original.sumNumber().doubleValue());
        }
    }

    @Test
    void refusesWhatItCannotBindNamingTheArray() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 16, 4, 4);
        assertTrue(InPlaceShift.supports(x));
        INDArray permuted = x.permute(0, 2, 3, 1);
        assertFalse(InPlaceShift.supports(permuted));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InPlaceShift.of(permuted, 8, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NHWC));
        assertTrue(e.getMessage().startsWith("InPlaceShift needs a contiguous c-order rank-4 array"), e.getMessage());
        assertEquals("InPlaceShift: threads must be >= 0 (1 = calling thread, 0 = ND4J's thread count), found -1",
                assertThrows(IllegalArgumentException.class, () -> InPlaceShift.of(x, 8, 8,
                        ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW, -1)).getMessage());
        IllegalArgumentException frames = assertThrows(IllegalArgumentException.class,
                () -> InPlaceShift.of(x, 3, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW));
        assertTrue(frames.getMessage().contains("segments"), frames.getMessage());
    }
}
