package io.github.tsm4j.core;

import java.lang.reflect.Field;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Raw host memory for the host shift kernels (CPU backend only): array addresses, {@code memcpy}/{@code memset}
 * of byte runs, and a split of a job over a few threads.
 *
 * <p>Copies use {@code sun.misc.Unsafe.copyMemory}/{@code setMemory} (module {@code jdk.unsupported}), which the
 * JIT compiles to a direct call of the JVM's copy stub: a few nanoseconds per run, so that even the 128-byte
 * per-pixel runs of an NHWC shift move at memory speed. Where {@code Unsafe} is not accessible, javacpp's
 * {@code Pointer.memcpy}/{@code memset} (one JNI call per run) do the same, slower.
 *
 * <p>Threads: the calling thread plus a small fixed pool of daemon threads ({@code tsm4j-shift-N}, at most the CPU
 * count − 1, created on first use). A job is split only where each part moves at least
 * {@link #PARALLEL_MIN_BYTES} (2 MiB: a hand-off to a pool thread costs ~30–50 µs on the 2-vCPU VM, and one
 * thread copies 2 MiB in ~0.05 ms, so smaller parts gain nothing).
 */
final class HostMemory {

    /** Host pointers are the array memory only on the CPU backend (CUDA keeps a device copy). */
    static final boolean HOST_BACKEND = "CpuBackend".equals(Nd4j.getBackend().getClass().getSimpleName());

    /** Below this many bytes per part a job stays on the calling thread. */
    static final long PARALLEL_MIN_BYTES = 2L << 20;

    private static final sun.misc.Unsafe UNSAFE = unsafe();
    private static final int MAX_HELPERS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
    private static volatile ExecutorService pool;

    private HostMemory() {
    }

    /** A range job: moves the part {@code [from, to)} of {@code [0, total)}. */
    @FunctionalInterface
    interface Part {
        void run(long from, long to);
    }

    /** Whether the array's memory is host memory addressable by {@link #address}. */
    static boolean hostArray(INDArray a) {
        return HOST_BACKEND && !a.isEmpty() && !a.wasClosed();
    }

    /** The address of the array's first element. */
    static long address(INDArray a) {
        return a.data().addressPointer().address();
    }

    /** Copies {@code bytes} bytes from {@code src} to {@code dst} (no overlap). */
    static void copy(long src, long dst, long bytes) {
        if (UNSAFE != null) {
            UNSAFE.copyMemory(src, dst, bytes);
        } else {
            Pointer.memcpy(pointer(dst, bytes), pointer(src, bytes), bytes);
        }
    }

    /** Runs of at most this many bytes (a multiple of 8) are moved 8 bytes at a time by {@link #copyRun}. */
    static final long SHORT_RUN_BYTES = 128;

    /**
     * Copies one run of an NHWC pixel: up to {@link #SHORT_RUN_BYTES} (multiples of 8) as 8-byte loads and stores,
     * which the JIT inlines (measured on the 2-vCPU EPYC VM, cold caches, 16-byte aligned workspace arrays: the
     * 128-byte fold runs of C = 256 2.5 × faster than calls of the copy stub, the 32-byte runs of C = 64 3 ×);
     * longer runs by {@link #copy}.
     */
    static void copyRun(long src, long dst, long bytes) {
        if (UNSAFE != null && bytes <= SHORT_RUN_BYTES && (bytes & 7) == 0) {
            for (long i = 0; i < bytes; i += 8) {
                UNSAFE.putLong(dst + i, UNSAFE.getLong(src + i));
            }
        } else {
            copy(src, dst, bytes);
        }
    }

    /** Zeroes one run, as {@link #copyRun} copies it. */
    static void zeroRun(long dst, long bytes) {
        if (UNSAFE != null && bytes <= SHORT_RUN_BYTES && (bytes & 7) == 0) {
            for (long i = 0; i < bytes; i += 8) {
                UNSAFE.putLong(dst + i, 0L);
            }
        } else {
            zero(dst, bytes);
        }
    }

    /** Sets {@code bytes} bytes at {@code dst} to zero. */
    static void zero(long dst, long bytes) {
        if (UNSAFE != null) {
            UNSAFE.setMemory(dst, bytes, (byte) 0);
        } else {
            Pointer.memset(pointer(dst, bytes), 0, bytes);
        }
    }

    private static Pointer pointer(long address, long bytes) {
        return new Pointer() {
            {
                this.address = address;
                this.capacity = bytes;
                this.limit = bytes;
            }
        };
    }

    /**
     * Runs {@code part} over {@code [0, total)} split into at most {@code threads} contiguous ranges (the first on
     * the calling thread), fewer where a range would move less than {@code minPartBytes}.
     *
     * @param total items
     * @param bytes bytes moved by the whole job
     * @param threads wanted threads (1 = calling thread only)
     * @param minPartBytes bytes a range moves at least ({@link #PARALLEL_MIN_BYTES} outside tests)
     * @param part the job
     */
    static void split(long total, long bytes, int threads, long minPartBytes, Part part) {
        int parts = (int) Math.min(Math.min(threads, MAX_HELPERS + 1L), Math.max(1, bytes / Math.max(1, minPartBytes)));
        parts = (int) Math.min(parts, total);
        if (parts <= 1) {
            part.run(0, total);
            return;
        }
        ExecutorService helpers = pool();
        Future<?>[] futures = new Future<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            long from = total * i / parts;
            long to = total * (i + 1) / parts;
            futures[i - 1] = helpers.submit(() -> part.run(from, to));
        }
        part.run(0, total / parts);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("TemporalShift: interrupted while waiting for the shift threads", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("TemporalShift: a shift thread failed", e.getCause());
            }
        }
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (HostMemory.class) {
                p = pool;
                if (p == null) {
                    AtomicInteger n = new AtomicInteger();
                    p = Executors.newFixedThreadPool(Math.max(1, MAX_HELPERS), r -> {
                        Thread t = new Thread(r, "tsm4j-shift-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
