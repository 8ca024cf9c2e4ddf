package io.github.tsm4j.examples.cli;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.iterator.ClipDataSetIterator;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small dataset decoded once into memory, served as minibatches: features {@code [B·T, 3, H, W]} (the
 * T frames of a clip contiguous, as {@link ClipDataSetIterator} makes them), one-hot labels {@code [B, K]},
 * the clip ids as example metadata. Training: every clip decoded once with the test transform (the demo's
 * generator makes as much data as wanted, so no crop augmentation), minibatches re-drawn every epoch by a
 * shuffle seeded with (seed, epoch). Validation: the batches in dataset order.
 *
 * <p>Memory: a training minibatch is gathered into arrays that this iterator allocates once per batch size and
 * reuses, so steady-state training allocates no native memory here (a fresh pair per step would be native
 * garbage that only the garbage collector frees). A training {@link DataSet} is therefore valid only until the
 * next call to {@link #next()}; the trainer and evaluator use each batch before asking for the next.
 */
final class CachedClips implements DataSetIterator {
    private static final long serialVersionUID = 1L;

    private final List<DataSet> items;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final List<String> labels;
    private int epoch;
    private List<DataSet> order;
    private int position;
    /** Reused training batches by number of clips. */
    private final transient java.util.Map<Integer, DataSet> reused = new java.util.HashMap<>();

    /** Items as given (one clip each for training), {@code shuffle} re-drawing the batches every epoch. */
    CachedClips(List<DataSet> items, int batchSize, boolean shuffle, long seed, List<String> labels) {
        this.items = items;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.labels = labels;
        reset();
    }

    /**
     * Another iterator over the same decoded clips (shared, read-only) with its own order, position and batch
     * arrays, for a second training running at the same time.
     *
     * @return the copy, at the start of the same epoch's order
     */
    CachedClips copy() {
        CachedClips c = new CachedClips(items, batchSize, shuffle, seed, labels);
        c.setEpoch(epoch);
        return c;
    }

    /** Training clips, one per item, re-batched by a seeded shuffle every epoch. */
    static CachedClips training(VideoDataset data, InputSpec input, int batchSize, long seed) {
        return new CachedClips(decode(data, input, 1), batchSize, true, seed, data.classNames());
    }

    /** Validation batches in dataset order. */
    static CachedClips validation(VideoDataset data, InputSpec input, int batchSize) {
        return new CachedClips(decode(data, input, batchSize), batchSize, false, 0, data.classNames());
    }

    private static List<DataSet> decode(VideoDataset data, InputSpec input, int batch) {
        List<DataSet> out = new ArrayList<>();
        // both cores decode (results come back in dataset order): training has not started yet
        try (ClipDataSetIterator it = ClipDataSetIterator.builder(data, input).batchSize(batch).training(false)
                .workers(2).build()) {
            while (it.hasNext()) {
                out.add(it.next());
            }
        }
        return out;
    }

    /** @return clips held */
    int clips() {
        int n = 0;
        for (DataSet d : items) {
            n += (int) d.getLabels().size(0);
        }
        return n;
    }

    /** @param e the epoch whose shuffle the next {@link #reset()} draws */
    void setEpoch(int e) {
        epoch = e;
        reset();
    }

    @Override
    public void reset() {
        position = 0;
        order = new ArrayList<>(items);
        if (shuffle) {
            Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        }
    }

    @Override
    public boolean hasNext() {
        return position < order.size();
    }

    @Override
    public DataSet next() {
        return next(shuffle ? batchSize : 1);
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException("CachedClips: no more batches in this epoch");
        }
        int end = Math.min(order.size(), position + num);
        List<DataSet> part = order.subList(position, end);
        position = end;
        if (part.size() == 1) {
            return part.get(0);
        }
        INDArray[] f = new INDArray[part.size()];
        INDArray[] l = new INDArray[part.size()];
        List<Serializable> meta = new ArrayList<>();
        for (int i = 0; i < f.length; i++) {
            f[i] = part.get(i).getFeatures();
            l[i] = part.get(i).getLabels();
            if (part.get(i).getExampleMetaData() != null) {
                meta.addAll(part.get(i).getExampleMetaData());
            }
        }
        DataSet ds = reused.get(f.length);
        if (ds == null) {
            try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                ds = new DataSet(Nd4j.createUninitialized(f[0].dataType(), stacked(f[0].shape(), f.length), 'c'),
                        Nd4j.createUninitialized(l[0].dataType(), stacked(l[0].shape(), f.length), 'c'));
            }
            reused.put(f.length, ds);
        }
        concatInto(f, ds.getFeatures());
        concatInto(l, ds.getLabels());
        ds.setExampleMetaData(meta);
        return ds;
    }

    /** Shape of n arrays of {@code shape} stacked along dimension 0. */
    private static long[] stacked(long[] shape, int n) {
        long[] s = shape.clone();
        s[0] *= n;
        return s;
    }

    /** Nd4j.concat(0, parts) written into {@code out}: one native op, no allocation. */
    private static void concatInto(INDArray[] parts, INDArray out) {
        Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("concat").addInputs(parts).addOutputs(out)
                .addIntegerArguments(0).build());
    }

    @Override
    public int inputColumns() {
        return (int) items.get(0).getFeatures().length() / (int) items.get(0).getLabels().size(0);
    }

    @Override
    public int totalOutcomes() {
        return labels.size();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        throw new UnsupportedOperationException("CachedClips has no pre-processor");
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return null;
    }

    @Override
    public List<String> getLabels() {
        return labels;
    }
}
