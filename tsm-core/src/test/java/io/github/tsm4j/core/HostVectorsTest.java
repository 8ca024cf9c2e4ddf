package io.github.tsm4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

@ExtendWith(RestoreNd4jGlobals.class)
class HostVectorsTest {

    @Test
    void readsAndWritesExactlyAsToDoubleVectorAndAssign() {
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Nd4j.getRandom().setSeed(1);
            INDArray a = Nd4j.randn(t, 1, 37);
            assertArrayEquals(a.toDoubleVector(), HostVectors.read(a), 0.0, t.toString());
            double[] values = new double[37];
            for (int i = 0; i < values.length; i++) {
                values[i] = Math.PI * (i - 18) / 7; // not representable in float: rounding must match ND4J's cast
            }
            INDArray expected = a.ulike();
            expected.assign(Nd4j.createFromArray(values).castTo(t).reshape(1, 37));
            HostVectors.write(values, a);
            assertEquals(expected, a, t.toString());
            assertArrayEquals(expected.toDoubleVector(), HostVectors.read(a), 0.0, t.toString());
        }
    }

    @Test
    void viewsAtAnOffsetAndStridedViewsGiveTheirOwnValues() {
        INDArray m = Nd4j.arange(0, 24).castTo(DataType.FLOAT).reshape(4, 6);
        INDArray row = m.getRow(2);                                          // dense, at an offset
        assertArrayEquals(new double[] {12, 13, 14, 15, 16, 17}, HostVectors.read(row), 0.0);
        INDArray column = m.get(NDArrayIndex.all(), NDArrayIndex.point(1));  // strided: ND4J's path
        assertArrayEquals(new double[] {1, 7, 13, 19}, HostVectors.read(column), 0.0);
        HostVectors.write(new double[] {-1, -2, -3, -4, -5, -6}, row);
        HostVectors.write(new double[] {100, 101, 102, 103}, column);
        assertArrayEquals(new double[] {0, 100, 2, 3, 4, 5, 6, 101, 8, 9, 10, 11, -1, 102, -3, -4, -5, -6, 18, 103,
            20, 21, 22, 23}, m.ravel().toDoubleVector(), 0.0);
        assertEquals("HostVectors.write: 3 values for an array of 6 elements",
                assertThrows(IllegalArgumentException.class, () -> HostVectors.write(new double[3], row))
                        .getMessage());
    }
}
