package io.github.tsm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

class CachedClipsTest {

    /** Ten clips of T = 2 frames, 3×4×4, clip i filled with i (labels one-hot of i mod 3). */
    private static List<DataSet> clips() {
        List<DataSet> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            INDArray f = Nd4j.valueArrayOf(new long[] {2, 3, 4, 4}, (float) i);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 1, 3);
            y.putScalar(0, i % 3, 1f);
            DataSet d = new DataSet(f, y);
            d.setExampleMetaData(List.of("clip" + i));
            items.add(d);
        }
        return items;
    }

    @Test
    void trainingBatchesAreTheShuffledClipsStackedIntoReusedArrays() {
        List<DataSet> items = clips();
        CachedClips it = new CachedClips(items, 4, true, 7, List.of("a", "b", "c"));
        List<INDArray> seenFeatures = new ArrayList<>();
        for (int epoch = 0; epoch < 3; epoch++) {
            it.setEpoch(epoch);
            List<Integer> order = new ArrayList<>();
            while (it.hasNext()) {
                DataSet ds = it.next();
                int n = (int) ds.getLabels().size(0);
                assertEquals(2L * n, ds.getFeatures().size(0));
                for (int c = 0; c < n; c++) {
                    int id = Integer.parseInt(String.valueOf(ds.getExampleMetaData().get(c)).substring(4));
                    order.add(id);
                    // the clip's frames and label, in batch order
                    assertEquals(items.get(id).getFeatures(), ds.getFeatures().get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(2 * c, 2 * c + 2)));
                    assertEquals(items.get(id).getLabels().getRow(0), ds.getLabels().getRow(c));
                }
                seenFeatures.add(ds.getFeatures());
            }
            assertEquals(10, order.size());
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), order.stream().sorted().toList());
        }
        // 3 batches per epoch (4 + 4 + 2 clips): one array per batch size, the same every step
        assertEquals(9, seenFeatures.size());
        for (int i = 0; i < 9; i++) {
            assertSame(seenFeatures.get(i % 3 == 2 ? 2 : 0), seenFeatures.get(i), "batch " + i);
        }
        assertSame(seenFeatures.get(0), seenFeatures.get(1));
    }

    @Test
    void steadyStateTrainingBatchesAllocateNoNativeMemory() {
        // exact form of "allocates nothing per batch": every batch of every epoch is written into the native
        // buffers of the first epoch (a process-wide byte counter would also see other threads and the GC)
        CachedClips it = new CachedClips(clips(), 4, true, 7, List.of("a", "b", "c"));
        List<Long> first = buffers(it); // first epoch allocates the reused arrays: 4, 4 and 2 clips
        assertEquals(List.of(first.get(0), first.get(1), first.get(0), first.get(1)), first.subList(0, 4),
                "the two 4-clip batches share their arrays: " + first);
        assertEquals(4, first.stream().distinct().count(), "one features/labels pair per batch size: " + first);
        for (int e = 1; e <= 20; e++) {
            it.setEpoch(e);
            assertEquals(first, buffers(it), "epoch " + e);
        }
    }

    /** The native addresses of every batch's features and labels, in order. */
    private static List<Long> buffers(DataSetIterator it) {
        List<Long> addresses = new ArrayList<>();
        while (it.hasNext()) {
            DataSet ds = it.next();
            addresses.add(ds.getFeatures().data().address());
            addresses.add(ds.getLabels().data().address());
        }
        return addresses;
    }

    private static void drain(DataSetIterator it) {
        while (it.hasNext()) {
            it.next();
        }
    }
}
