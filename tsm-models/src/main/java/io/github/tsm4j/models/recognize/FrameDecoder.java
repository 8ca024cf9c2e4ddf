package io.github.tsm4j.models.recognize;

import io.github.tsm4j.core.stream.FrameSource;
import io.github.tsm4j.core.stream.SourceFrame;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Decodes (and preprocesses) a {@link FrameSource} on its own thread, ahead of inference, through a
 * bounded queue, so that decoding never blocks the model.
 *
 * <p>Two policies when the queue is full, i.e. when the model is slower than the source:
 * <ul>
 *   <li>offline (default for files and stdin): the decoder waits; every frame is processed;</li>
 *   <li>real time (default for cameras and network streams): the oldest queued frame is dropped so
 *       that the model always works on the freshest frames. Every dropped frame is counted
 *       ({@link #dropped()}) and shows as a gap in the frame indices, never silently. A file read in
 *       real-time mode is paced to its timestamps, as if it came from a camera.</li>
 * </ul>
 *
 * @param <T> what the decoder thread prepares from each frame (e.g. the normalised network input)
 */
final class FrameDecoder<T> implements AutoCloseable {

    /**
     * A decoded frame and what was prepared from it.
     *
     * @param frame the RGB frame
     * @param prepared the result of the prepare function
     * @param readyNanos {@link System#nanoTime()} when the item entered the queue (for frame age)
     * @param <T> type of the prepared value
     */
    record Item<T>(SourceFrame frame, T prepared, long readyNanos) {}

    private static final Item<?> END = new Item<>(null, null, 0);

    private final FrameSource source;
    private final Function<SourceFrame, T> prepare;
    private final boolean realtime;
    /** Frames in flight plus the end marker; its size is bounded by {@link #slots}, not by the queue. */
    private final BlockingQueue<Item<T>> queue = new LinkedBlockingQueue<>();
    /** One permit per free queue slot: the decoder takes one per frame, the consumer gives it back. */
    private final Semaphore slots;
    private final AtomicLong decoded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean stopping;
    private boolean ended;

    /**
     * Starts decoding at once; the source must already be open.
     *
     * @param source an open source
     * @param prepare run on the decoder thread for each frame
     * @param capacity queue capacity in frames, at least 1
     * @param realtime drop the oldest frame when full (and pace files to their timestamps) instead of waiting
     */
    public FrameDecoder(FrameSource source, Function<SourceFrame, T> prepare, int capacity, boolean realtime) {
        if (capacity < 1) {
            throw new IllegalArgumentException("decoder queue capacity must be >= 1, found " + capacity);
        }
        this.source = source;
        this.prepare = prepare;
        this.realtime = realtime;
        this.slots = new Semaphore(capacity);
        this.thread = new Thread(this::decodeLoop, "tsm4j-stream-" + source.name());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The next frame in decoding order, waiting for the decoder if needed.
     *
     * @return the next item, or {@code null} at the end of the source
     * @throws IOException if decoding failed (the source's message)
     * @throws InterruptedException if interrupted while waiting
     */
    public Item<T> take() throws IOException, InterruptedException {
        if (ended) {
            return null;
        }
        Item<T> item = queue.take();
        if (item == END) {
            ended = true;
            Throwable t = failure;
            if (t instanceof IOException io) {
                throw io;
            }
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t != null) {
                throw new IOException("decoding " + source.name() + " failed: " + t, t);
            }
            return null;
        }
        slots.release();
        return item;
    }

    /**
     * Frames decoded so far (processed, queued or dropped).
     *
     * @return count
     */
    public long decoded() {
        return decoded.get();
    }

    /**
     * Frames dropped in real-time mode because the model was busy.
     *
     * @return count
     */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Whether full-queue frames are dropped.
     *
     * @return the real-time flag
     */
    public boolean realtime() {
        return realtime;
    }

    /** Stops the decoder thread (if still running) and waits for it; does not close the source. */
    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private void decodeLoop() {
        long startNanos = System.nanoTime();
        long firstTimestamp = Long.MIN_VALUE;
        boolean pace = realtime && !source.live();
        try {
            while (!stopping) {
                SourceFrame frame = source.next();
                if (frame == null) {
                    break;
                }
                decoded.incrementAndGet();
                if (pace) {
                    if (firstTimestamp == Long.MIN_VALUE) {
                        firstTimestamp = frame.timestampMicros();
                    }
                    long due = startNanos + (frame.timestampMicros() - firstTimestamp) * 1000L;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                Item<T> item = new Item<>(frame, prepare.apply(frame), System.nanoTime());
                if (realtime) {
                    while (!slots.tryAcquire()) {
                        Item<T> oldest = queue.poll();
                        if (oldest != null) {
                            dropped.incrementAndGet();
                            slots.release();
                        } else {
                            Thread.onSpinWait(); // the consumer took a frame and is about to free its slot
                        }
                    }
                } else {
                    slots.acquire();
                }
                queue.put(item);
            }
        } catch (InterruptedException e) {
            if (!stopping) {
                failure = e;
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            queue.add((Item<T>) END); // unbounded: never blocks, even if the consumer has stopped
        }
    }
}
