package io.github.tsm4j.core;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The helper threads of the host kernels: a fixed set of daemon threads ({@code tsm4j-shift-N}) that take a job
 * from the calling thread in about a microsecond, the way OpenMP's worker threads do. After a job each helper keeps
 * polling for the next one for {@link #SPIN_NANOS} and then parks; the caller spins while its helpers finish.
 * A hand-off through an {@code ExecutorService} (queue, {@code Future}, park/unpark) costs 30–50 µs on the 2-vCPU
 * VM, as long as a shift of an L3-resident tensor takes in all, so such tensors ran on one thread.
 *
 * <p>One job at a time: a caller that finds the pool busy (another thread's job) runs its whole job itself, so
 * concurrent callers are correct and never wait for each other.
 */
final class SpinPool {

    /** How long an idle helper polls for the next job before it parks: 200 µs. */
    static final long SPIN_NANOS = 200_000;

    private final Helper[] helpers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile HostMemory.Part job;
    private volatile Throwable failure;

    /** @param helpers helper threads (the calling thread is one more), at least 1 */
    SpinPool(int helpers) {
        this.helpers = new Helper[helpers];
        for (int i = 0; i < helpers; i++) {
            this.helpers[i] = new Helper("tsm4j-shift-" + (i + 1));
            this.helpers[i].start();
        }
    }

    /** @return helper threads */
    int helpers() {
        return helpers.length;
    }

    /**
     * Runs {@code part} over {@code [0, total)} in {@code parts} contiguous ranges: the first on the calling thread,
     * the others on helpers; returns when all are done. When the pool is busy with another caller's job, the whole
     * range runs on the calling thread.
     *
     * @param total items
     * @param parts ranges, 2 to {@link #helpers()} + 1
     * @param part the job
     */
    void run(long total, int parts, HostMemory.Part part) {
        if (parts < 2 || parts > helpers.length + 1) {
            throw new IllegalArgumentException("SpinPool: parts must be 2 to " + (helpers.length + 1) + ", found "
                    + parts);
        }
        if (!busy.compareAndSet(false, true)) {
            part.run(0, total);
            return;
        }
        try {
            job = part;
            failure = null;
            pending.set(parts - 1);
            for (int i = 1; i < parts; i++) {
                helpers[i - 1].post(total * i / parts, total * (i + 1) / parts);
            }
            Throwable own = null;
            try {
                part.run(0, total / parts);
            } catch (RuntimeException | Error e) {
                own = e;
            }
            awaitHelpers();
            job = null;
            Throwable t = own != null ? own : failure;
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException("TemporalShift: a shift thread failed", t);
            }
        } finally {
            busy.set(false);
        }
    }

    private void awaitHelpers() {
        long start = System.nanoTime();
        while (pending.get() != 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** One helper: polls its epoch for a posted range, runs it, counts it done. */
    private final class Helper extends Thread {
        private volatile long epoch;
        private volatile boolean parked;
        private long from;
        private long to;

        Helper(String name) {
            super(name);
            setDaemon(true);
        }

        /** Posts a range (called by the job's owner only, while the helper is idle). */
        void post(long from, long to) {
            this.from = from;
            this.to = to;
            epoch = epoch + 1;              // volatile write: publishes from/to
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long idleSince = System.nanoTime();
                long e;
                while ((e = epoch) == seen) {
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (epoch == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                seen = e;
                try {
                    job.run(from, to);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    pending.decrementAndGet();
                }
            }
        }
    }
}
