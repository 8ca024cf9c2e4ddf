package io.github.tsm4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

@ExtendWith(RestoreNd4jGlobals.class)
class HostCopyTest {

    /** Bit-exact copies on 1, 2, 3 and ND4J's threads, small arrays and arrays large enough to be split. */
    @Test
    void copiesEveryElement() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE, DataType.INT8}) {
            for (long n : new long[] {1, 7, 1000, 300_001, 1_048_583}) {
                INDArray src = Nd4j.rand(DataType.FLOAT, n).muli(100).castTo(type);
                for (int threads : new int[] {1, 2, 3, 0}) {
                    INDArray dst = Nd4j.zeros(type, n);
                    HostCopy.copy(src, dst, threads);
                    assertEquals(src, dst, type + " × " + n + " on " + threads + " threads");
                }
            }
        }
    }

    /** Shapes may differ; a contiguous row range of a larger array is read and written at its offset. */
    @Test
    void contiguousViewsAtAnOffsetAndOtherShapes() {
        INDArray big = Nd4j.rand(DataType.FLOAT, 10, 40_000);
        INDArray rows = big.get(NDArrayIndex.interval(3, 7), NDArrayIndex.all());
        INDArray dst = Nd4j.zeros(DataType.FLOAT, 8, 20_000);
        HostCopy.copy(rows, dst, 2);
        assertEquals(rows.reshape(8, 20_000), dst);
        INDArray target = Nd4j.zeros(DataType.FLOAT, 10, 40_000);
        HostCopy.copy(dst, target.get(NDArrayIndex.interval(5, 9), NDArrayIndex.all()), 2);
        assertEquals(rows, target.get(NDArrayIndex.interval(5, 9), NDArrayIndex.all()));
        assertEquals(0.0, target.get(NDArrayIndex.interval(0, 5), NDArrayIndex.all()).sumNumber().doubleValue());
        assertEquals(0.0, target.get(NDArrayIndex.point(9), NDArrayIndex.all()).sumNumber().doubleValue());
    }

    @Test
    void refusesWhatItCannotCopy() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 4, 6);
        String column = assertThrows(IllegalArgumentException.class,
                () -> HostCopy.copy(a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3)), Nd4j.zeros(4, 3), 1))
                .getMessage();
        assertTrue(column.startsWith("HostCopy: src must be a contiguous c-order array in host memory (CPU backend), "
                + "found shape [4, 3], strides [6, 1]"), column);
        String order = assertThrows(IllegalArgumentException.class,
                () -> HostCopy.copy(a, Nd4j.create(DataType.FLOAT, new long[] {4, 6}, 'f'), 1)).getMessage();
        assertTrue(order.startsWith("HostCopy: dst must be a contiguous c-order array"), order);
        assertEquals("HostCopy: src and dst must have the same data type and length, found FLOAT × 24 and DOUBLE × 24",
                assertThrows(IllegalArgumentException.class,
                        () -> HostCopy.copy(a, Nd4j.zeros(DataType.DOUBLE, 4, 6), 1)).getMessage());
        assertEquals("HostCopy: src and dst must have the same data type and length, found FLOAT × 24 and FLOAT × 25",
                assertThrows(IllegalArgumentException.class,
                        () -> HostCopy.copy(a, Nd4j.zeros(DataType.FLOAT, 25), 1)).getMessage());
        INDArray flat = Nd4j.rand(DataType.FLOAT, 100);
        assertEquals("HostCopy: src and dst overlap", assertThrows(IllegalArgumentException.class,
                () -> HostCopy.copy(flat.get(NDArrayIndex.interval(0, 50)), flat.get(NDArrayIndex.interval(40, 90)), 1))
                .getMessage());
        assertEquals("HostCopy: threads must be >= 0 (1 = calling thread, 0 = ND4J's thread count), found -1",
                assertThrows(IllegalArgumentException.class,
                        () -> HostCopy.copy(a, Nd4j.zeros(DataType.FLOAT, 4, 6), -1)).getMessage());
    }
}
