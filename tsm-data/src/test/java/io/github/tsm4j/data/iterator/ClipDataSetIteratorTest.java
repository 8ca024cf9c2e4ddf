package io.github.tsm4j.data.iterator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.synthetic.TemporalOrderDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

class ClipDataSetIteratorTest {
    @TempDir
    static Path dir;
    static VideoDataset train;
    static final InputSpec SPEC = InputSpec.imageNet(4).withSize(28, 32);

    @BeforeAll
    static void generate() {
        train = TemporalOrderDataset.generate(dir, 2, 8, 32, 1).train();
    }

    private static ClipDataSetIterator iterator(long seed, int workers) {
        return ClipDataSetIterator.builder(train, SPEC).batchSize(5).seed(seed).workers(workers).build();
    }

    private static List<DataSet> drain(ClipDataSetIterator it) {
        List<DataSet> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    @Test
    void batchesHaveClipLayoutOneHotLabelsAndClassNames() {
        try (ClipDataSetIterator it = iterator(1, 2)) {
            assertEquals(TemporalOrderDataset.classNames(), it.getLabels());
            assertEquals(6, it.totalOutcomes());
            List<DataSet> batches = drain(it);
            assertEquals(3, batches.size()); // 12 videos, batch 5: 5 + 5 + 2
            DataSet first = batches.get(0);
            assertArrayEquals(new long[] {20, 3, 28, 28}, first.getFeatures().shape());
            assertArrayEquals(new long[] {5, 6}, first.getLabels().shape());
            assertArrayEquals(new long[] {8, 3, 28, 28}, batches.get(2).getFeatures().shape());
            for (int i = 0; i < 5; i++) {
                assertEquals(1.0, first.getLabels().getRow(i).sumNumber().doubleValue(), 0);
            }
            assertEquals(5, first.getExampleMetaData().size());
            assertFalse(it.hasNext());
        }
    }

    @Test
    void sameSeedAndEpochGiveIdenticalBatchesWhateverTheThreadCount() {
        try (ClipDataSetIterator a = iterator(7, 1); ClipDataSetIterator b = iterator(7, 3)) {
            List<DataSet> x = drain(a);
            List<DataSet> y = drain(b);
            for (int i = 0; i < x.size(); i++) {
                assertEquals(x.get(i).getFeatures(), y.get(i).getFeatures());
                assertEquals(x.get(i).getLabels(), y.get(i).getLabels());
            }
            a.reset();
            assertEquals(1, a.epoch());
            List<DataSet> x1 = drain(a);
            assertNotEquals(x.get(0).getFeatures(), x1.get(0).getFeatures());
            a.setEpoch(0);
            assertEquals(x.get(0).getFeatures(), drain(a).get(0).getFeatures());
        }
    }

    @Test
    void reportsProgressAfterEachBatch() {
        List<Progress> seen = new ArrayList<>();
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(train, SPEC).batchSize(5).progressListener(seen::add).build()) {
            drain(it);
            assertEquals(List.of(new Progress(0, 5, 12, 0), new Progress(0, 10, 12, 0), new Progress(0, 12, 12, 0)), seen);
            assertEquals(1.0, it.progress().fraction(), 0);
        }
    }

    @Test
    void testModeIsUnshuffledAndDeterministic() {
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(train, SPEC).training(false).batchSize(12).build()) {
            DataSet d = it.next();
            List<String> ids = new ArrayList<>();
            d.getExampleMetaData().forEach(o -> ids.add((String) o));
            List<String> expected = train.samples().stream().map(s -> s.id()).toList();
            assertEquals(expected, ids);
            it.reset();
            assertEquals(d.getFeatures(), it.next().getFeatures());
            assertEquals(1, it.epoch(), "the reset started epoch 1, whose test-mode batch is epoch 0's");
        }
    }
}
