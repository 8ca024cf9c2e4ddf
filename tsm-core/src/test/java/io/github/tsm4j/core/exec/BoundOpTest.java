package io.github.tsm4j.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Relu6;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class BoundOpTest {

    @Test
    void addWritesTheSumIntoTheBoundOutputEveryRun() {
        INDArray a = Nd4j.createFromArray(1f, 2f, 3f);
        INDArray b = Nd4j.createFromArray(10f, 20f, 30f);
        INDArray out = Nd4j.create(DataType.FLOAT, 3);
        try (BoundOp add = BoundOp.of("add", new INDArray[] {a, b}, new INDArray[] {out})) {
            add.run();
            assertEquals(Nd4j.createFromArray(11f, 22f, 33f), out);
            a.assign(Nd4j.createFromArray(-1f, 0f, 1f)); // the op reads the bound arrays' current contents
            add.run();
            assertEquals(Nd4j.createFromArray(9f, 20f, 31f), out);
            add.setInput(1, Nd4j.createFromArray(1f, 1f, 1f));
            add.run();
            assertEquals(Nd4j.createFromArray(0f, 1f, 2f), out);
        }
    }

    @Test
    void assignBetweenStridedViewsTouchesOnlyTheViews() {
        INDArray src = Nd4j.arange(24).castTo(DataType.FLOAT).reshape(2, 3, 4);
        INDArray dst = Nd4j.zeros(DataType.FLOAT, 2, 3, 4);
        INDArray from = src.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 3));
        INDArray to = dst.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 3));
        try (BoundOp copy = BoundOp.of("assign", new INDArray[] {to, from}, new INDArray[] {to})) {
            copy.run();
        }
        assertEquals(from, to);
        assertEquals(0.0, dst.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)).sumNumber()
                .doubleValue());
        assertEquals(0.0, dst.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(3)).sumNumber()
                .doubleValue());
    }

    @Test
    void relu6WithArgumentsEqualsNd4jsScalarOp() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 5).muli(5);
        INDArray expected = x.dup();
        Nd4j.exec(new Relu6(expected, expected, 0.0));
        try (BoundOp relu6 = BoundOp.builder("relu6").inputs(x).outputs(x).tArgs(0.0).build()) {
            relu6.run();
        }
        assertEquals(expected, x);
    }

    @Test
    void repeatedRunsAndRebindingAllocateNoJavaHeap() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 64);
        INDArray[] frames = {Nd4j.rand(DataType.FLOAT, 64), Nd4j.rand(DataType.FLOAT, 64)};
        INDArray out = a.ulike();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        try (BoundOp add = BoundOp.of("add", new INDArray[] {a, a}, new INDArray[] {out})) {
            for (int i = 0; i < 1000; i++) {
                add.setInput(1, frames[i % 2]);
                add.run();
            }
            // the fewest bytes any of five repetitions allocated: one-off JVM allocations (JIT, class loading)
            // land in some repetitions, a per-run allocation in all of them
            long fewest = Long.MAX_VALUE;
            for (int trial = 0; trial < 5; trial++) {
                long before = threads.getThreadAllocatedBytes(id);
                for (int i = 0; i < 1000; i++) {
                    add.setInput(1, frames[i % 2]);
                    add.run();
                }
                fewest = Math.min(fewest, threads.getThreadAllocatedBytes(id) - before);
            }
            // ND4J's own binding creates ~300 bytes per call: 300,000 here
            assertTrue(fewest < 1000, "1000 runs allocated at least " + fewest + " bytes of Java heap (< 1 per run expected)");
            assertEquals(a.add(frames[1]), out);
        }
    }

    @Test
    void errorsNameTheOp() {
        assertEquals("BoundOp: libnd4j has no custom op named 'no_such_op'", assertThrows(
                IllegalArgumentException.class, () -> BoundOp.builder("no_such_op")
                        .outputs(Nd4j.zeros(1)).build()).getMessage());
        assertEquals("BoundOp add: at least one output array is required", assertThrows(
                IllegalArgumentException.class, () -> BoundOp.builder("add").inputs(Nd4j.zeros(1)).build())
                .getMessage());
        INDArray a = Nd4j.zeros(DataType.FLOAT, 3);
        INDArray b = Nd4j.zeros(DataType.FLOAT, 4);
        BoundOp bad = BoundOp.of("add", new INDArray[] {a, b}, new INDArray[] {Nd4j.zeros(DataType.FLOAT, 3)});
        IllegalStateException e = assertThrows(IllegalStateException.class, bad::run);
        assertTrue(e.getMessage().startsWith("libnd4j op add failed with status "), e.getMessage());
        bad.close();
        assertEquals("BoundOp add is closed", assertThrows(IllegalStateException.class, bad::run).getMessage());
    }
}
