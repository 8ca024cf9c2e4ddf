package io.github.tsm4j.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.conv.OneDnn;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class BoundAddReluTest {

    /** libnd4j's {@code add} then {@code relu}: what the fused pass must reproduce bit for bit. */
    private static INDArray twoOps(INDArray a, INDArray b) {
        INDArray out = a.ulike();
        try (BoundOp add = BoundOp.builder("add").inputs(a, b).outputs(out).build();
                BoundOp relu = BoundOp.builder("relu").inputs(out).outputs(out).tArgs(0.0).build()) {
            add.run();
            relu.run();
        }
        return out;
    }

    @Test
    void oneFusedPassIsTheAdditionAndTheReluBitForBit() {
        assertTrue(OneDnn.available(), "oneDNN's natives are a test dependency of tsm-core");
        Nd4j.getRandom().setSeed(3);
        for (long[] shape : new long[][] {{6, 5, 7, 33}, {2, 3}, {1001}, {2, 3, 4, 5, 6}}) {
            INDArray a = Nd4j.randn(DataType.FLOAT, shape);
            INDArray b = Nd4j.randn(DataType.FLOAT, shape);
            INDArray expected = twoOps(a, b);
            assertTrue(expected.minNumber().doubleValue() == 0 && expected.maxNumber().doubleValue() > 0,
                    "the sums have both signs");
            INDArray out = Nd4j.create(DataType.FLOAT, shape);
            try (BoundAddRelu f = BoundAddRelu.of(a, b, out)) {
                f.run();
                assertEquals(expected, out, java.util.Arrays.toString(shape));
                a.addi(1f); // the bound arrays' current contents are read on every run
                f.run();
                assertEquals(twoOps(a, b), out, "second run, " + java.util.Arrays.toString(shape));
            }
        }
    }

    @Test
    void runsInPlaceOnEitherSummandAndOnViewsAtAnOffset() {
        INDArray flat = Nd4j.randn(DataType.FLOAT, 3 * 240);
        INDArray a = flat.get(NDArrayIndex.interval(240, 480)).reshape('c', 4, 6, 10);
        INDArray b = flat.get(NDArrayIndex.interval(480, 720)).reshape('c', 4, 6, 10);
        INDArray before = flat.get(NDArrayIndex.interval(0, 240)).dup();
        INDArray expected = twoOps(a, b);
        INDArray bCopy = b.dup();
        try (BoundAddRelu f = BoundAddRelu.of(a, b, a)) {
            f.run();
        }
        assertEquals(expected, a, "out = a");
        assertEquals(bCopy, b, "b is only read");
        assertEquals(before, flat.get(NDArrayIndex.interval(0, 240)), "memory before the views is untouched");
        INDArray c = Nd4j.randn(DataType.FLOAT, 4, 6, 10);
        INDArray d = Nd4j.randn(DataType.FLOAT, 4, 6, 10);
        INDArray expected2 = twoOps(c, d);
        try (BoundAddRelu f = BoundAddRelu.of(c, d, d)) {
            f.run();
        }
        assertEquals(expected2, d, "out = b");
    }

    /** One primitive per shape, run on other arrays each call (as a training step's moving arrays need). */
    @Test
    void aShapeBoundPrimitiveRunsOnTheArraysOfEachCall() {
        BoundAddRelu f = BoundAddRelu.forShape(new long[] {3, 5, 7});
        for (int call = 0; call < 3; call++) {
            INDArray a = Nd4j.randn(DataType.FLOAT, 3, 5, 7);
            INDArray b = Nd4j.randn(DataType.FLOAT, 3, 5, 7);
            INDArray expected = twoOps(a, b);
            INDArray out = call == 2 ? b : Nd4j.create(DataType.FLOAT, 3, 5, 7);
            f.run(a, b, out);
            assertEquals(expected, out, "call " + call);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.run(
                Nd4j.randn(DataType.FLOAT, 5, 7), Nd4j.randn(DataType.FLOAT, 5, 7), Nd4j.create(DataType.FLOAT, 5, 7)));
        assertEquals("BoundAddRelu bound to float32[3, 5, 7] cannot run on FLOAT[5, 7] strides [7, 1] order c, "
                + "FLOAT[5, 7] strides [7, 1] order c -> FLOAT[5, 7] strides [7, 1] order c", e.getMessage());
        f.close();
        assertEquals("BoundAddRelu needs a shape of rank 1 to 5 and oneDNN's natives, found [1, 2, 3, 4, 5, 6]",
                assertThrows(IllegalArgumentException.class,
                        () -> BoundAddRelu.forShape(new long[] {1, 2, 3, 4, 5, 6})).getMessage());
    }

    @Test
    void refusesWhatItCannotBindNamingTheArrays() {
        INDArray a = Nd4j.randn(DataType.FLOAT, 4, 6);
        assertFalse(BoundAddRelu.supports(a, a.castTo(DataType.DOUBLE), a), "double");
        assertFalse(BoundAddRelu.supports(a, Nd4j.randn(DataType.FLOAT, 6, 4), a), "another shape");
        assertFalse(BoundAddRelu.supports(a, a, a.transpose()), "not c-order dense");
        assertFalse(BoundAddRelu.supports(a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3)),
                a.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 6)), Nd4j.create(DataType.FLOAT, 4, 3)), "strided");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BoundAddRelu.of(a, Nd4j.randn(DataType.FLOAT, 6, 4), a));
        assertEquals("BoundAddRelu needs three dense c-order float32 host arrays of one shape (rank 1 to 5) and "
                + "oneDNN's natives, found FLOAT[4, 6] strides [6, 1] order c, FLOAT[6, 4] strides [4, 1] order c -> "
                + "FLOAT[4, 6] strides [6, 1] order c", e.getMessage());
    }
}
