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

    @Test
    void sumOfSquaresIsExactOnIntegersAndMatchesNorm2OnEveryPath() {
        // 0² + 1² + … + 22² = 3795, exact in float and double: every length tail of the unrolled loop
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (int n = 0; n <= 23; n++) {
                INDArray a = n == 0 ? Nd4j.zeros(t, 1, 1) : Nd4j.arange(0, n).castTo(t).reshape(1, n);
                long expected = (long) (n - 1) * n * (2L * n - 1) / 6;
                assertEquals(Math.max(0, expected), HostVectors.sumOfSquares(a), 0.0, t + " n=" + n);
            }
        }
        INDArray m = Nd4j.arange(0, 24).castTo(DataType.FLOAT).reshape(4, 6);
        assertEquals(12 * 12 + 13 * 13 + 14 * 14 + 15 * 15 + 16 * 16 + 17 * 17,
                HostVectors.sumOfSquares(m.getRow(2)), 0.0, "dense view at an offset");
        assertEquals(1 + 49 + 169 + 361, HostVectors.sumOfSquares(m.get(NDArrayIndex.all(), NDArrayIndex.point(1))),
                1e-4, "strided view: ND4J's float norm2, squared");
        Nd4j.getRandom().setSeed(3);
        for (long n : new long[] {1000, HostVectors.HOST_SUM_MAX, HostVectors.HOST_SUM_MAX + 1}) {
            INDArray r = Nd4j.randn(DataType.FLOAT, 1, n);
            double norm = r.castTo(DataType.DOUBLE).norm2Number().doubleValue();
            // above HOST_SUM_MAX ND4J's float norm2 (relative error ~2e-5 at this length)
            double tolerance = n > HostVectors.HOST_SUM_MAX ? 1e-4 : 1e-9;
            assertEquals(norm * norm, HostVectors.sumOfSquares(r), tolerance * norm * norm, "n=" + n);
        }
    }
}
