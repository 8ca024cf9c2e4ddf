package io.github.tsm4j.examples.spark;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.iterator.ClipLoader;
import java.util.Iterator;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs on the executors: turns a partition of {@link ClipRow}s into one {@link DataSet} per clip, lazily (a clip
 * is decoded when the training worker asks for it). Each DataSet holds features {@code [T, 3, crop, crop]}
 * (NCHW, normalised) and labels {@code [1, K]} one-hot; DL4J's workers merge {@code B} of them into the
 * {@code [B·T, 3, crop, crop]} / {@code [B, K]} minibatch a TSM network takes. Augmentation is seeded by
 * (seed, epoch, row index), so a retried task reproduces the same clips.
 */
public final class ClipDecodeFunction implements FlatMapFunction<Iterator<ClipRow>, DataSet> {
    private static final long serialVersionUID = 1L;

    private final int segments;
    private final int cropSize;
    private final int scaleSize;
    private final double[] mean;
    private final double[] std;
    private final io.github.tsm4j.core.ResizeMethod resizeMethod;
    private final int numClasses;
    private final boolean flip;
    private final long seed;
    private final int epoch;
    private final ClipSource source;
    private final int clipsPerDataSet;

    /**
     * @param spec the model's input description
     * @param numClasses K
     * @param flip allow horizontal flips
     * @param seed run seed
     * @param epoch epoch number (varies the augmentation per epoch)
     * @param source how rows are decoded
     */
    public ClipDecodeFunction(InputSpec spec, int numClasses, boolean flip, long seed, int epoch, ClipSource source) {
        this(spec, numClasses, flip, seed, epoch, source, 1);
    }

    /**
     * @param spec the model's input description
     * @param numClasses K
     * @param flip allow horizontal flips
     * @param seed run seed
     * @param epoch epoch number (varies the augmentation per epoch)
     * @param source how rows are decoded
     * @param clipsPerDataSet clips merged into one DataSet ({@code [B·T, 3, crop, crop]}, {@code [B, K]}): 1 when
     *     DL4J's worker batches (parameter averaging), the worker minibatch for gradient sharing, whose workers fit
     *     each DataSet of the partition as it comes; the last one of a partition may hold fewer
     */
    public ClipDecodeFunction(InputSpec spec, int numClasses, boolean flip, long seed, int epoch, ClipSource source,
            int clipsPerDataSet) {
        if (clipsPerDataSet < 1) {
            throw new IllegalArgumentException("ClipDecodeFunction.clipsPerDataSet must be >= 1, found "
                    + clipsPerDataSet);
        }
        this.clipsPerDataSet = clipsPerDataSet;
        if (numClasses < 1) {
            throw new IllegalArgumentException("ClipDecodeFunction.numClasses must be >= 1, found " + numClasses);
        }
        this.segments = spec.segments();
        this.cropSize = spec.cropSize();
        this.scaleSize = spec.scaleSize();
        this.mean = spec.mean().stream().mapToDouble(Double::doubleValue).toArray();
        this.std = spec.std().stream().mapToDouble(Double::doubleValue).toArray();
        this.resizeMethod = spec.resizeMethod();
        this.numClasses = numClasses;
        this.flip = flip;
        this.seed = seed;
        this.epoch = epoch;
        this.source = source;
    }

    /** @return the input description rebuilt on this JVM */
    public InputSpec spec() {
        return new InputSpec(segments, cropSize, scaleSize,
                java.util.Arrays.stream(mean).boxed().toList(), java.util.Arrays.stream(std).boxed().toList())
                .withResizeMethod(resizeMethod);
    }

    @Override
    public Iterator<DataSet> call(Iterator<ClipRow> rows) {
        SparkEpochFitter.configureAeron();
        ClipLoader loader = ClipLoader.forTraining(spec(), flip);
        long[] shape = {loader.framesPerVideo(), 3, cropSize, cropSize};
        Iterator<DataSet> clips = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public DataSet next() {
                ClipRow row = rows.next();
                if (row.label() >= numClasses) {
                    throw new IllegalArgumentException("row " + row.id() + " (" + row.path() + ") has label "
                            + row.label() + " but the model has " + numClasses + " classes");
                }
                SplittableRandom rng = new SplittableRandom(mix(seed, epoch, row.index()));
                float[] pixels = source.load(row, loader, rng);
                if (pixels.length != loader.lengthPerVideo()) {
                    throw new IllegalStateException("ClipSource returned " + pixels.length + " floats for "
                            + row.path() + ", expected " + loader.lengthPerVideo());
                }
                INDArray x = Nd4j.create(pixels, shape, 'c');
                float[] y = new float[numClasses];
                y[row.label()] = 1f;
                return new DataSet(x, Nd4j.create(y, new long[] {1, numClasses}, 'c'));
            }
        };
        if (clipsPerDataSet == 1) {
            return clips;
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return clips.hasNext();
            }

            @Override
            public DataSet next() {
                java.util.List<DataSet> batch = new java.util.ArrayList<>(clipsPerDataSet);
                while (batch.size() < clipsPerDataSet && clips.hasNext()) {
                    batch.add(clips.next());
                }
                return batch.size() == 1 ? batch.get(0) : DataSet.merge(batch);
            }
        };
    }

    /** @return frames per clip (T) */
    public int framesPerClip() {
        return segments;
    }

    static long mix(long seed, int epoch, int index) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch;
        h = h * 0xBF58476D1CE4E5B9L + index;
        return h ^ (h >>> 31);
    }
}
