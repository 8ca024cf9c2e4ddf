package io.github.tsm4j.examples.bench;

import java.util.Arrays;

/**
 * Summary of repeated timings in milliseconds.
 *
 * @param median the median (the figure reported)
 * @param p99 the 99th percentile (nearest rank)
 * @param min fastest run
 * @param max slowest run
 * @param runs number of timed runs
 */
public record Stats(double median, double p99, double min, double max, int runs) {

    /**
     * @param ms timings in milliseconds, at least one
     * @return their summary
     */
    public static Stats of(double[] ms) {
        if (ms.length == 0) {
            throw new IllegalArgumentException("Stats.of: no timings");
        }
        double[] s = ms.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double p99 = s[Math.min(n - 1, (int) Math.ceil(0.99 * n) - 1)];
        return new Stats(median, p99, s[0], s[n - 1], n);
    }

    /** A task timed by {@link #time}; may throw. */
    @FunctionalInterface
    public interface Task {
        /** Runs once. @throws Exception on failure */
        void run() throws Exception;
    }

    /**
     * Runs {@code task} {@code warmup} times untimed, then {@code runs} times timed.
     *
     * @return the timings' summary in ms
     */
    public static Stats time(int warmup, int runs, Task task) throws Exception {
        for (int i = 0; i < warmup; i++) {
            task.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            task.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return of(ms);
    }

    /**
     * Runs {@code task} untimed until it has run at least {@code minWarmup} times and for at least
     * {@code warmupSeconds}, then {@code runs} times timed: for workloads whose Java code the JIT compiler takes
     * seconds to compile (a small network's training step runs through thousands of DL4J methods; on 2 cores its
     * first few hundred steps are 2–5× slower than the steady state).
     *
     * @return the timings' summary in ms
     */
    public static Stats timeAfter(double warmupSeconds, int minWarmup, int runs, Task task) throws Exception {
        long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < minWarmup || System.nanoTime() < until; i++) {
            task.run();
        }
        return time(0, runs, task);
    }

    /**
     * Times two tasks alternately (A, B, A, B, …) so that background load hits both alike.
     *
     * @return the summaries of A and B
     */
    public static Stats[] interleaved(int warmup, int runs, Task a, Task b) throws Exception {
        return interleaved(warmup, runs, new Task[] {a, b});
    }

    /**
     * Times several tasks in turn, one call of each per round, so that all see the same machine state.
     *
     * @param warmup untimed rounds
     * @param runs timed rounds
     * @param tasks the tasks
     * @return one {@code Stats} per task, in order
     * @throws Exception what a task throws
     */
    public static Stats[] interleaved(int warmup, int runs, Task... tasks) throws Exception {
        for (int i = 0; i < warmup; i++) {
            for (Task t : tasks) {
                t.run();
            }
        }
        double[][] times = new double[tasks.length][runs];
        for (int i = 0; i < runs; i++) {
            for (int k = 0; k < tasks.length; k++) {
                long t0 = System.nanoTime();
                tasks[k].run();
                times[k][i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Stats[] out = new Stats[tasks.length];
        for (int k = 0; k < tasks.length; k++) {
            out[k] = of(times[k]);
        }
        return out;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.2f ms (p99 %.2f, min %.2f, max %.2f, n=%d)", median, p99,
                min, max, runs);
    }
}
