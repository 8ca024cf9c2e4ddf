package io.github.tsm4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The JMH benchmark's operations run as their names say, on both engines, outside JMH. */
class InPlaceShiftBenchmarkTest {

    @Test
    void rewriteApplyUndoLeavesTheRewrittenInputOnBothEngines() {
        for (String engine : new String[] {"host", "onednn"}) {
            InPlaceShiftBenchmark b = new InPlaceShiftBenchmark();
            b.layoutShape = "NHWC:8x5x4x32";
            b.engine = engine;
            b.threads = 2;
            b.setUp();
            try {
                INDArray before = b.rewrite().dup();
                assertNotEquals(0, before.sumNumber().doubleValue());
                for (int i = 0; i < 3; i++) {
                    assertEquals(before, b.rewriteApplyUndo(), engine + ": apply then undo gives the input back");
                }
            } finally {
                b.tearDown();
            }
        }
    }
}
