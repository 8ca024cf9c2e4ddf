package io.github.tsm4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class NchwToNhwcPreProcessorTest {

    private final NchwToNhwcPreProcessor pre = new NchwToNhwcPreProcessor();
    private final LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();

    /** Element [n, c, h, w] of the NCHW input, distinct for every index. */
    private static INDArray numbered(DataType type, long n, long c, long h, long w) {
        return Nd4j.linspace(1, n * c * h * w, n * c * h * w, type).reshape('c', n, c, h, w);
    }

    @ParameterizedTest
    @CsvSource({"2, 3, 5, 7", "1, 1, 1, 1", "3, 8, 4, 2", "2, 9, 3, 3", "4, 16, 2, 5"})
    void forwardAndBackwardAreThePermutationsExactly(long n, long c, long h, long w) {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray x = numbered(type, n, c, h, w);
            INDArray y = pre.preProcess(x, (int) n, ws);
            assertArrayEquals(new long[] {n, h, w, c}, y.shape());
            assertEquals('c', y.ordering());
            assertEquals(type, y.dataType());
            for (long i = 0; i < n; i++) {
                for (long ch = 0; ch < c; ch++) {
                    for (long r = 0; r < h; r++) {
                        for (long q = 0; q < w; q++) {
                            assertEquals(x.getDouble(i, ch, r, q), y.getDouble(i, r, q, ch), 0.0,
                                    "[" + i + "," + ch + "," + r + "," + q + "] " + type);
                        }
                    }
                }
            }
            INDArray g = numbered(type, n, h, w, c).neg();
            INDArray back = pre.backprop(g, (int) n, ws);
            assertArrayEquals(new long[] {n, c, h, w}, back.shape());
            assertEquals(g.permute(0, 3, 1, 2).dup('c'), back);
            assertEquals(x, pre.backprop(y, (int) n, ws), "round trip");
        }
    }

    @Test
    void viewsAndFortranOrderedInputsGiveTheSameResult() {
        INDArray big = numbered(DataType.FLOAT, 5, 3, 6, 4);
        INDArray view = big.get(NDArrayIndex.interval(1, 4), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        assertTrue(view.isView());
        INDArray expected = view.dup('c').permute(0, 2, 3, 1).dup('c');
        assertEquals(expected, pre.preProcess(view, 3, ws));
        assertEquals(expected, pre.preProcess(view.dup('f'), 3, ws));
        INDArray gradView = pre.preProcess(big, 5, ws).get(NDArrayIndex.interval(2, 5), NDArrayIndex.all(),
                NDArrayIndex.all(), NDArrayIndex.all());
        assertEquals(big.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())
                .dup('c'), pre.backprop(gradView, 3, ws));
    }

    @Test
    void otherRanksAreRefusedWithTheirShape() {
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> pre.preProcess(Nd4j.zeros(DataType.FLOAT, 2, 3, 4), 2, ws));
        assertEquals("NchwToNhwcPreProcessor expects NCHW input [N, C, H, W], found shape [2, 3, 4]", f.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                () -> pre.backprop(Nd4j.zeros(DataType.FLOAT, 6, 4), 6, ws));
        assertEquals("NchwToNhwcPreProcessor expects an NHWC gradient [N, H, W, C], found shape [6, 4]",
                b.getMessage());
    }
}
