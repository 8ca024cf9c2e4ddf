package io.github.tsm4j.models.train;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Minibatches of a fixed list of single-example data sets, in order. */
final class InMemoryIterator implements DataSetIterator {
    private final List<DataSet> examples;
    private final int batch;
    private int cursor;

    InMemoryIterator(List<DataSet> examples, int batch) {
        this.examples = examples;
        this.batch = batch;
    }

    @Override
    public DataSet next(int num) {
        List<DataSet> part = new ArrayList<>(examples.subList(cursor, Math.min(cursor + num, examples.size())));
        cursor += part.size();
        return DataSet.merge(part);
    }

    @Override public int inputColumns() { return -1; }
    @Override public int totalOutcomes() { return (int) examples.get(0).getLabels().size(1); }
    @Override public boolean resetSupported() { return true; }
    @Override public boolean asyncSupported() { return false; }
    @Override public void reset() { cursor = 0; }
    @Override public int batch() { return batch; }
    @Override public void setPreProcessor(DataSetPreProcessor preProcessor) { throw new UnsupportedOperationException(); }
    @Override public DataSetPreProcessor getPreProcessor() { return null; }
    @Override public List<String> getLabels() { return null; }
    @Override public boolean hasNext() { return cursor < examples.size(); }
    @Override public DataSet next() { return next(batch); }
}
