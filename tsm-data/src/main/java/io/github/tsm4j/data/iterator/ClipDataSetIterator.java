package io.github.tsm4j.data.iterator;

import io.github.tsm4j.core.clip.FrameTiming;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.dataset.VideoSample;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.core.clip.TestCrop;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DL4J {@link DataSetIterator} over a {@link VideoDataset}: each {@link DataSet} holds
 * <ul>
 * <li>features {@code [B·V·T, 3, cropSize, cropSize]} float32 NCHW, RGB normalised with the
 * {@link InputSpec}; the {@code V·T} frames of one video are contiguous (V = 1 in training and with the
 * default single-view test settings, so {@code [B·T, 3, H, W]});</li>
 * <li>labels {@code [B, K]} one-hot (a zero row for an unlabelled sample);</li>
 * <li>example metadata: the video ids (strings), in batch order.</li>
 * </ul>
 *
 * <p>Decoding runs on a bounded pool of {@code workers} background threads, at most
 * {@code prefetchBatches} batches ahead, and results come back in order. Given the seed and the epoch
 * the batches are identical run to run: the shuffle uses (seed, epoch) and each video's sampling and
 * augmentation use (seed, epoch, sample index). {@link #reset()} starts the next epoch (if the current
 * one was started) and re-shuffles; {@link #setEpoch(int)} jumps to an epoch.
 *
 * <p>Broken videos: {@link SkipPolicy#FAIL} (default) throws the {@code VideoDecodeException} naming
 * the file; {@link SkipPolicy#SKIP} logs each one, leaves it out, and reports the count
 * ({@link #skippedCount()}, and a log line at the end of each pass). Another video is never substituted.
 *
 * <p>Not thread-safe (one consumer). {@link #close()} stops the decoding threads (they are daemon
 * threads, so forgetting it does not block JVM exit).
 */
public final class ClipDataSetIterator implements DataSetIterator, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ClipDataSetIterator.class);

    private final VideoDataset dataset;
    private final transient ClipLoader loader;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final transient BackgroundLoader background;
    private final transient java.util.function.Consumer<Progress> progressListener;
    private DataSetPreProcessor preProcessor;
    private int epoch;
    private boolean started;
    private boolean passLogged;
    private int totalSkipped;
    private DataSet prepared;

    private ClipDataSetIterator(Builder b) {
        this.dataset = b.dataset;
        FrameSampler sampler = new FrameSampler(b.spec.segments(), b.mode,
                b.testClips > 0 ? b.testClips : FrameSampler.of(b.spec.segments(), b.mode).testClips());
        ClipTransform transform = b.training ? ClipTransform.train(b.spec, b.flip) : ClipTransform.test(b.spec, b.testCrop);
        this.loader = new ClipLoader(sampler, transform, b.timing);
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle == null ? b.training : b.shuffle;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        int window = Math.max(b.workers, (b.prefetchBatches + 1) * b.batchSize);
        this.background = new BackgroundLoader(dataset.samples(), loader, b.skipPolicy, b.workers, window);
        this.epoch = b.epoch;
        this.progressListener = b.progressListener;
        startPass();
    }

    /**
     * Starts a builder.
     *
     * @param dataset the videos
     * @param spec sizes, normalisation and segments
     * @return the builder
     */
    public static Builder builder(VideoDataset dataset, InputSpec spec) {
        return new Builder(dataset, spec);
    }

    /** @return the epoch of the current pass (0 for the first) */
    public int epoch() {
        return epoch;
    }

    /**
     * Restarts at the beginning of the given epoch (its shuffle and augmentation).
     *
     * @param newEpoch the epoch, at least 0
     */
    public void setEpoch(int newEpoch) {
        if (newEpoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, found " + newEpoch);
        }
        this.epoch = newEpoch;
        startPass();
    }

    /** @return videos skipped as broken in the current pass ({@link SkipPolicy#SKIP}) */
    public int skippedCount() {
        return background.skipped();
    }

    /** @return videos skipped in all passes so far */
    public int totalSkippedCount() {
        return totalSkipped + background.skipped();
    }

    /** @return videos consumed (loaded or skipped) in the current pass */
    public int processedCount() {
        return background.consumed();
    }

    /** @return the progress of the current pass */
    public Progress progress() {
        return new Progress(epoch, background.consumed(), dataset.size(), background.skipped());
    }

    /** @return videos in the dataset */
    public int videoCount() {
        return dataset.size();
    }

    /** @return frames per video in the features ({@code V·T}) */
    public int framesPerVideo() {
        return loader.framesPerVideo();
    }

    /** @return the input description */
    public InputSpec spec() {
        return loader.spec();
    }

    private void startPass() {
        totalSkipped += started ? background.skipped() : 0;
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom r = new SplittableRandom(BackgroundLoader.mix(seed, epoch, -1));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        background.start(order, seed, epoch);
        prepared = null;
        started = false;
        passLogged = false;
    }

    @Override
    public boolean hasNext() {
        if (prepared == null) {
            prepared = assemble();
        }
        return prepared != null;
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more batches in epoch " + epoch + " of " + dataset.name());
        }
        DataSet d = prepared;
        prepared = null;
        if (preProcessor != null) {
            preProcessor.preProcess(d);
        }
        if (progressListener != null) {
            progressListener.accept(progress());
        }
        return d;
    }

    @Override
    public DataSet next(int num) {
        if (num != batchSize) {
            throw new UnsupportedOperationException("ClipDataSetIterator batches are fixed at " + batchSize + ", asked " + num);
        }
        return next();
    }

    private DataSet assemble() {
        List<BackgroundLoader.Loaded> items = new ArrayList<>(batchSize);
        while (items.size() < batchSize) {
            started = true;
            BackgroundLoader.Loaded l = background.next();
            if (l == null) {
                break;
            }
            items.add(l);
        }
        if (items.isEmpty() || (dropLast && items.size() < batchSize)) {
            logPassEnd();
            return null;
        }
        int per = loader.lengthPerVideo();
        float[] features = new float[items.size() * per];
        int k = dataset.numClasses();
        float[] labels = new float[items.size() * k];
        List<Serializable> ids = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            BackgroundLoader.Loaded l = items.get(i);
            System.arraycopy(l.data(), 0, features, i * per, per);
            VideoSample s = l.sample();
            if (s.labelled()) {
                labels[i * k + s.label()] = 1f;
            }
            ids.add(s.id());
        }
        int side = loader.frameSide();
        INDArray f = Nd4j.create(features, new long[] {(long) items.size() * loader.framesPerVideo(), 3, side, side}, 'c');
        INDArray y = Nd4j.create(labels, new long[] {items.size(), k}, 'c');
        DataSet d = new DataSet(f, y);
        d.setExampleMetaData(ids);
        return d;
    }

    private void logPassEnd() {
        if (!passLogged) {
            passLogged = true;
            if (background.skipped() > 0) {
                LOG.warn("{} epoch {}: skipped {} of {} videos that could not be decoded",
                        dataset.name(), epoch, background.skipped(), dataset.size());
            }
        }
    }

    @Override
    public int inputColumns() {
        return 3 * loader.frameSide() * loader.frameSide();
    }

    @Override
    public int totalOutcomes() {
        return dataset.numClasses();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false; // decoding is already asynchronous; DL4J's wrapper would only add a copy
    }

    @Override
    public void reset() {
        if (started) {
            epoch++;
        }
        startPass();
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    /** @return the class names in id order */
    @Override
    public List<String> getLabels() {
        return dataset.classNames();
    }

    @Override
    public void close() {
        background.close();
    }


    /**
     * Configures a {@link ClipDataSetIterator}. Defaults: batch 8, training (random TSN sampling,
     * multi-scale crop, shuffle), UNIFORM sampling, no horizontal flip (Something-Something and Jester
     * must not flip), centre crop at test, constant-rate frame timing, seed 42, workers = available processors, 2 batches prefetched,
     * {@link SkipPolicy#FAIL}, last partial batch kept, epoch 0.
     */
    public static final class Builder {
        private final VideoDataset dataset;
        private final InputSpec spec;
        private int batchSize = 8;
        private boolean training = true;
        private SamplingMode mode = SamplingMode.UNIFORM;
        private int testClips;
        private TestCrop testCrop = TestCrop.CENTRE;
        private io.github.tsm4j.core.clip.FrameTiming timing = io.github.tsm4j.core.clip.FrameTiming.CONSTANT_RATE;
        private boolean flip;
        private Boolean shuffle;
        private long seed = 42;
        private int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int prefetchBatches = 2;
        private SkipPolicy skipPolicy = SkipPolicy.FAIL;
        private boolean dropLast;
        private int epoch;
        private java.util.function.Consumer<Progress> progressListener;

        private Builder(VideoDataset dataset, InputSpec spec) {
            if (dataset == null || spec == null) {
                throw new IllegalArgumentException("ClipDataSetIterator needs a dataset and an InputSpec");
            }
            this.dataset = dataset;
            this.spec = spec;
        }

        /** @param v videos per batch, at least 1 @return this */
        public Builder batchSize(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, found " + v);
            }
            batchSize = v;
            return this;
        }

        /** @param v true: random sampling and augmentation; false: test sampling and crops @return this */
        public Builder training(boolean v) {
            training = v;
            return this;
        }

        /** @param v frame sampling mode @return this */
        public Builder samplingMode(SamplingMode v) {
            mode = v;
            return this;
        }

        /** @param v clips per video at test time (0: the mode's official default) @return this */
        public Builder testClips(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("testClips must be >= 0, found " + v);
            }
            testClips = v;
            return this;
        }

        /** @param v test-time crop views @return this */
        public Builder testCrop(TestCrop v) {
            testCrop = v;
            return this;
        }

        /**
         * @param v what frame indices of video files mean (default {@code CONSTANT_RATE}, the official
         *     constant-rate extraction's frames)
         * @return this
         */
        public Builder frameTiming(io.github.tsm4j.core.clip.FrameTiming v) {
            if (v == null) {
                throw new IllegalArgumentException("frameTiming must not be null");
            }
            timing = v;
            return this;
        }

        /** @param v random horizontal flips in training (off for Something-Something/Jester) @return this */
        public Builder horizontalFlip(boolean v) {
            flip = v;
            return this;
        }

        /** @param v shuffle every epoch (default: when training) @return this */
        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        /** @param v seed of shuffling, sampling and augmentation @return this */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v decoding threads, at least 1 @return this */
        public Builder workers(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("workers must be >= 1, found " + v);
            }
            workers = v;
            return this;
        }

        /** @param v batches decoded ahead, at least 0 @return this */
        public Builder prefetchBatches(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("prefetchBatches must be >= 0, found " + v);
            }
            prefetchBatches = v;
            return this;
        }

        /** @param v broken-video policy @return this */
        public Builder skipPolicy(SkipPolicy v) {
            skipPolicy = v;
            return this;
        }

        /** @param v drop a last partial batch @return this */
        public Builder dropLast(boolean v) {
            dropLast = v;
            return this;
        }

        /** @param v first epoch @return this */
        public Builder epoch(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("epoch must be >= 0, found " + v);
            }
            epoch = v;
            return this;
        }

        /** @param v called after each batch with the pass's progress (on the consumer's thread) @return this */
        public Builder progressListener(java.util.function.Consumer<Progress> v) {
            progressListener = v;
            return this;
        }

        /** @return the iterator (decoding starts at once) */
        public ClipDataSetIterator build() {
            if (mode == null || skipPolicy == null || testCrop == null) {
                throw new IllegalArgumentException("samplingMode, skipPolicy and testCrop must not be null");
            }
            return new ClipDataSetIterator(this);
        }
    }
}
