package io.github.tsm4j.core;

import java.lang.reflect.Field;
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
 * <p>Threads: the calling thread plus the helpers of a {@link SpinPool} (daemon threads {@code tsm4j-shift-N}, the
 * CPU count − 1, created on first use), which take a part in about a microsecond. A job is split only where each
 * part moves at least {@link #PARALLEL_MIN_BYTES} (256 KiB, ~3 µs of copying for one thread).
 */
final class HostMemory {

    /** Host pointers are the array memory only on the CPU backend (CUDA keeps a device copy). */
    static final boolean HOST_BACKEND = "CpuBackend".equals(Nd4j.getBackend().getClass().getSimpleName());

    /** Below this many bytes per part a job stays on the calling thread. */
    static final long PARALLEL_MIN_BYTES = 256L << 10;

    private static final sun.misc.Unsafe UNSAFE = unsafe();
    private static final int MAX_HELPERS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
    private static volatile SpinPool pool;

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

    /** Whether raw reads and writes of single values ({@link #getFloat} …) are available. */
    static boolean rawAccess() {
        return UNSAFE != null;
    }

    static float getFloat(long address) {
        return UNSAFE.getFloat(address);
    }

    static void putFloat(long address, float value) {
        UNSAFE.putFloat(address, value);
    }

    static double getDouble(long address) {
        return UNSAFE.getDouble(address);
    }

    static void putDouble(long address, double value) {
        UNSAFE.putDouble(address, value);
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

    /** Copies {@code bytes} bytes with the C library's {@code memcpy} (one JNI call). */
    static void memcpy(long src, long dst, long bytes) {
        Pointer.memcpy(pointer(dst, bytes), pointer(src, bytes), bytes);
    }

    /** Runs of at most this many bytes (a multiple of 8) are moved 8 bytes at a time by {@link #copyRun}. */
    static final long SHORT_RUN_BYTES = 64;

    /**
     * Copies one run of an NHWC pixel: up to {@link #SHORT_RUN_BYTES} (multiples of 8) as 8-byte loads and stores,
     * which the JIT inlines, longer runs by {@link #copy}. Measured on the 2-vCPU EPYC VM (one process, variants
     * alternated, [8, 56, 56, C] float arrays): the 32-byte runs of C = 64 are faster as 8-byte moves (in-place
     * apply + undo 0.31–0.32 against 0.38–0.41 ms through the copy stub), the 128-byte runs of C = 256 through the
     * stub (out-of-place shift 46–48 against 38–44 GB/s; in-place apply + undo 1.10–1.23 against 1.30–1.38 ms).
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

    /**
     * A javacpp pointer at {@code at} (the parameters must not be named like {@link Pointer}'s fields: inside the
     * anonymous class those names are the fields).
     */
    static Pointer pointer(long at, long size) {
        return new Pointer() {
            {
                this.address = at;
                this.capacity = size;
                this.limit = size;
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
        pool().run(total, parts, part);
    }

    private static SpinPool pool() {
        SpinPool p = pool;
        if (p == null) {
            synchronized (HostMemory.class) {
                p = pool;
                if (p == null) {
                    p = new SpinPool(Math.max(1, MAX_HELPERS));
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
