package io.github.tsm4j.data.iterator;

import io.github.tsm4j.data.dataset.VideoSample;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads samples in a fixed order on a bounded thread pool, keeping at most {@code window} loads in
 * flight or done-but-unconsumed; results come back in order. Each sample gets its own random
 * generator seeded by (seed, epoch, sample index), so results do not depend on thread timing.
 */
final class BackgroundLoader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundLoader.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    /** A loaded (or failed) sample. */
    record Loaded(VideoSample sample, float[] data, RuntimeException error) {}

    private final List<VideoSample> samples;
    private final ClipLoader loader;
    private final SkipPolicy policy;
    private final int window;
    private final ExecutorService pool;
    private final ArrayDeque<Future<Loaded>> pending = new ArrayDeque<>();
    private int[] order = new int[0];
    private int submitted;
    private int consumed;
    private long seed;
    private int epoch;
    private int skipped;

    BackgroundLoader(List<VideoSample> samples, ClipLoader loader, SkipPolicy policy, int workers, int window) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, found " + workers);
        }
        if (window < 1) {
            throw new IllegalArgumentException("prefetch window must be >= 1, found " + window);
        }
        this.samples = samples;
        this.loader = loader;
        this.policy = policy;
        this.window = window;
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "tsm-decode-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // idle threads end after 30 s, so an iterator that is never closed does not keep threads forever
        ThreadPoolExecutor executor = new ThreadPoolExecutor(workers, workers, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), tf);
        executor.allowCoreThreadTimeOut(true);
        this.pool = executor;
    }

    /** Starts a pass over {@code order} (indices into the sample list). */
    void start(int[] newOrder, long newSeed, int newEpoch) {
        cancelPending();
        this.order = newOrder.clone();
        this.seed = newSeed;
        this.epoch = newEpoch;
        this.submitted = 0;
        this.consumed = 0;
        this.skipped = 0;
        fill();
    }

    /** @return the next successfully loaded sample in order, or null at the end of the pass */
    Loaded next() {
        while (consumed < order.length) {
            Future<Loaded> f = pending.poll();
            consumed++;
            Loaded l = await(f);
            fill();
            if (l.error() == null) {
                return l;
            }
            switch (policy) {
                case FAIL -> throw l.error();
                case SKIP -> {
                    skipped++;
                    LOG.warn("skipping video {} ({}): {}", l.sample().id(), l.sample().path(), l.error().getMessage());
                }
            }
        }
        return null;
    }

    /** @return samples consumed in this pass (loaded or skipped) */
    int consumed() {
        return consumed;
    }

    /** @return samples skipped in this pass */
    int skipped() {
        return skipped;
    }

    private Loaded await(Future<Loaded> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a decoded clip", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("decoding task failed", c);
        }
    }

    private void fill() {
        while (submitted < order.length && pending.size() < window) {
            int index = order[submitted];
            long itemSeed = mix(seed, epoch, index);
            VideoSample s = samples.get(index);
            pending.add(pool.submit(() -> {
                try {
                    return new Loaded(s, loader.load(s.path(), new SplittableRandom(itemSeed)), null);
                } catch (RuntimeException e) {
                    return new Loaded(s, null, e);
                }
            }));
            submitted++;
        }
    }

    private void cancelPending() {
        for (Future<Loaded> f : pending) {
            f.cancel(false);
        }
        for (Future<Loaded> f : pending) {
            try {
                f.get();
            } catch (CancellationException | ExecutionException e) {
                // cancelled or failed: no longer of interest
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        pending.clear();
    }

    /** A well-mixed seed from (seed, epoch, index) (SplitMix64 finaliser). */
    static long mix(long seed, long epoch, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + index * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public void close() {
        cancelPending();
        pool.shutdownNow();
    }
}
