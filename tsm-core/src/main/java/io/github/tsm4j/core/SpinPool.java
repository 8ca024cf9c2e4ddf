package io.github.tsm4j.core;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The helper threads of the host kernels: a fixed set of daemon threads ({@code tsm4j-shift-N}) that join a job of
 * the calling thread in about a microsecond, the way OpenMP's worker threads do. After a job each helper keeps
 * polling for the next one for {@link #SPIN_NANOS} and then parks. A hand-off through an {@code ExecutorService}
 * (queue, {@code Future}, park/unpark) costs 30–50 µs on the 2-vCPU VM, as long as a shift of an L3-resident
 * tensor takes in all, so such tensors ran on one thread.
 *
 * <p>A job is cut into {@link #CHUNKS_PER_PART} contiguous chunks per wanted thread, and the caller and the helpers
 * claim chunks one at a time from a shared counter until none is left; the caller then waits only for chunks a
 * helper has started. A helper that the operating system has not scheduled (another process, oneDNN's OpenMP
 * workers or a JIT thread on the other core) therefore never holds the job up: the caller does its chunks itself
 * (before, each helper had a fixed part to finish; in one {@code tsm bench} run on the 2-vCPU VM a 3 MB shift that
 * takes 30 µs took 460 µs per call for a whole timed loop, most likely such a wait).
 *
 * <p>One job at a time: a caller that finds the pool busy (another thread's job) runs its whole job itself, so
 * concurrent callers are correct and never wait for each other. A job allocates nothing.
 */
final class SpinPool {

    /** How long an idle helper polls for the next job before it parks: 200 µs. */
    static final long SPIN_NANOS = 200_000;

    /** Chunks per wanted thread: a late helper leaves at most one chunk for the others to wait on. */
    static final int CHUNKS_PER_PART = 4;

    private final Helper[] helpers;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** Job generation (high 32 bits) and the next chunk to claim (low 32 bits). */
    private final AtomicLong claim = new AtomicLong();
    /** Chunks of the current job that have run. */
    private final AtomicInteger finished = new AtomicInteger();
    // the current job, written by its caller before it publishes the job's generation in claim
    private HostMemory.Part job;
    private long total;
    private int chunks;
    private int parts;
    private volatile Throwable failure;
    private int generation;

    /** @param helpers helper threads (the calling thread is one more), at least 1 */
    SpinPool(int helpers) {
        this(helpers, true);
    }

    /**
     * @param helpers helper threads
     * @param start false: the helpers never run (tests: the caller must do every chunk itself)
     */
    SpinPool(int helpers, boolean start) {
        this.helpers = new Helper[helpers];
        for (int i = 0; i < helpers; i++) {
            this.helpers[i] = new Helper("tsm4j-shift-" + (i + 1), i);
            if (start) {
                this.helpers[i].start();
            }
        }
    }

    /** @return helper threads */
    int helpers() {
        return helpers.length;
    }

    /**
     * Runs {@code part} over {@code [0, total)} on the calling thread and up to {@code parts − 1} helpers, in
     * chunks each thread claims in turn; returns when all are done. When the pool is busy with another caller's
     * job, the whole range runs on the calling thread.
     *
     * @param total items
     * @param parts threads wanted, 2 to {@link #helpers()} + 1
     * @param part the job; called with contiguous ranges that cover {@code [0, total)} once
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
            this.job = part;
            this.total = total;
            this.chunks = (int) Math.min(total, (long) parts * CHUNKS_PER_PART);
            this.parts = parts;
            failure = null;
            finished.set(0);
            generation++;
            claim.set((long) generation << 32); // volatile write: publishes the fields above
            for (int i = 0; i < parts - 1; i++) {
                helpers[i].wake();
            }
            work(generation);
            awaitStarted();
            job = null;
            Throwable t = failure;
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

    /**
     * Claims and runs chunks of job {@code gen} until none is left (or the job is another's). A successful claim
     * proves the job is still running, so the fields read before it are that job's. After a failure (kept for the
     * caller) the remaining chunks are claimed and counted without running.
     */
    private void work(int gen) {
        while (true) {
            long c = claim.get();
            if ((int) (c >>> 32) != gen) {
                return;
            }
            HostMemory.Part p = job;
            long n = total;
            int k = chunks;
            int chunk = (int) c;
            if (chunk >= k) {
                return;
            }
            if (!claim.compareAndSet(c, c + 1)) {
                continue;
            }
            try {
                if (failure == null) {
                    p.run(n * chunk / k, n * (chunk + 1) / k);
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                finished.incrementAndGet();
            }
        }
    }

    /** Waits for the chunks that helpers claimed to finish (every chunk is claimed when this is called). */
    private void awaitStarted() {
        long start = System.nanoTime();
        while (finished.get() != chunks) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** One helper: polls the job generation, claims chunks of a new job it takes part in, parks when idle. */
    private final class Helper extends Thread {
        private final int index;
        private volatile boolean parked;

        Helper(String name, int index) {
            super(name);
            this.index = index;
            setDaemon(true);
        }

        void wake() {
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                long idleSince = System.nanoTime();
                int gen;
                while ((gen = (int) (claim.get() >>> 32)) == seen) {
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if ((int) (claim.get() >>> 32) == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                seen = gen;
                if (index < parts - 1) {
                    work(gen);
                }
            }
        }
    }
}
