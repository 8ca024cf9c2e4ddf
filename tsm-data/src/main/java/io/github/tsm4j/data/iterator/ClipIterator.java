package io.github.tsm4j.data.iterator;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.dataset.VideoDataset;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.core.clip.TestCrop;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A plain Java iterator over a dataset for inference: one {@link LabelledClip} per video, in dataset
 * order, with the test-time sampling of {@code sampler} (N clips) and the views of {@code crop},
 * decoded on background threads with prefetch. Broken videos follow the {@link SkipPolicy}.
 */
public final class ClipIterator implements Iterator<LabelledClip>, AutoCloseable {
    private final ClipLoader loader;
    private final BackgroundLoader background;
    private BackgroundLoader.Loaded prepared;
    private boolean done;

    /**
     * @param dataset the videos
     * @param spec sizes and normalisation
     * @param sampler test sampling (its segments must equal {@code spec.segments()})
     * @param crop test views
     * @param workers decoding threads
     * @param prefetch videos decoded ahead (at least 1)
     * @param policy broken-video policy
     */
    public ClipIterator(VideoDataset dataset, InputSpec spec, FrameSampler sampler, TestCrop crop,
            int workers, int prefetch, SkipPolicy policy) {
        this.loader = new ClipLoader(sampler, ClipTransform.test(spec, crop));
        this.background = new BackgroundLoader(dataset.samples(), loader, policy, workers, Math.max(prefetch, workers));
        int[] order = new int[dataset.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        background.start(order, 0, 0);
    }

    /**
     * Single-clip, centre-crop iteration with {@code availableProcessors} threads and {@link SkipPolicy#FAIL}.
     *
     * @param dataset the videos
     * @param spec sizes, segments and normalisation
     * @return the iterator
     */
    public static ClipIterator of(VideoDataset dataset, InputSpec spec) {
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        return new ClipIterator(dataset, spec, FrameSampler.of(spec.segments(),
                io.github.tsm4j.core.clip.SamplingMode.UNIFORM), TestCrop.CENTRE, workers, 2 * workers, SkipPolicy.FAIL);
    }

    /** @return frames per clip tensor ({@code V·T}) */
    public int framesPerVideo() {
        return loader.framesPerVideo();
    }

    /** @return videos skipped as broken so far */
    public int skippedCount() {
        return background.skipped();
    }

    @Override
    public boolean hasNext() {
        if (prepared == null && !done) {
            prepared = background.next();
            done = prepared == null;
        }
        return prepared != null;
    }

    @Override
    public LabelledClip next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        BackgroundLoader.Loaded l = prepared;
        prepared = null;
        int side = loader.frameSide();
        return new LabelledClip(l.sample().id(), l.sample().label(),
                Nd4j.create(l.data(), new long[] {loader.framesPerVideo(), 3, side, side}, 'c'));
    }

    @Override
    public void close() {
        background.close();
    }
}
