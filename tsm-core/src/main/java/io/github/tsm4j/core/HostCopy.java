package io.github.tsm4j.core;

import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies of contiguous runs of host memory (CPU backend only), without ND4J ops.
 *
 * <p>Why: an ND4J op on a strided view is split over libnd4j's worker threads, and each such op waits for
 * them to be scheduled; a shift made of several view ops then costs several hand-offs, which on a busy
 * machine dominate (measured: ~20 ms per op with load average 15 on 2 cores, against ~0.3 ms for the same
 * copy run by memcpy).
 *
 * <ul>
 *   <li>NCHW ({@link #nchw}): every channel block of a frame is one contiguous run, so the shift is a few
 *       {@code memcpy}/{@code memset} calls per frame on the calling thread.</li>
 *   <li>NHWC ({@link #nhwc}): the channels of one pixel are contiguous, so the shift is ONE pass over the
 *       array: per (frame, pixel) the two shifted folds (from the neighbouring frames, or zeros) and the
 *       unshifted rest are written next to each other with Java bulk copies between direct
 *       {@link ByteBuffer}s over the ND4J host memory ({@code ByteBuffer.put(int, ByteBuffer, int, int)},
 *       which the JIT compiles to an inlined copy stub: no JNI per pixel). By default it runs on the calling
 *       thread; with {@code threads} = n &gt; 1 (or 0 for ND4J's thread count; {@code ExecutionOptions.shiftThreads})
 *       large arrays are split by pixel ranges over n threads (the calling thread plus a small fixed pool of
 *       daemon threads). Not the default: between oneDNN's OpenMP regions the pool threads compete with the
 *       spinning OpenMP workers for the cores (measured on the 2-vCPU VM under load: the shift of
 *       TSM-ResNet-50 took 104 ms of wall time per call with 2 threads against 65 ms on the calling thread
 *       alone).</li>
 * </ul>
 */
final class HostCopy {

    /** Host pointers are the array memory only on the CPU backend (CUDA keeps a device copy). */
    private static final boolean HOST_BACKEND = "CpuBackend".equals(Nd4j.getBackend().getClass().getSimpleName());

    /** Below this many bytes per call (and per extra thread) the NHWC kernel stays on the calling thread. */
    static final long PARALLEL_MIN_BYTES = 1L << 20;

    /** {@link #PARALLEL_MIN_BYTES}, lowered by tests to exercise the split on small arrays. */
    private static volatile long parallelMinBytes = PARALLEL_MIN_BYTES;

    /** Zeros for the boundary frames; grown when a fold is wider. */
    private static volatile ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 14);

    /** Helper threads of the NHWC kernel (daemon, created on first use, at most the CPU count − 1). */
    private static final int MAX_HELPERS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
    private static volatile ExecutorService pool;

    private HostCopy() {
    }

    /** Both arrays on the host, same data type, and each frame ({@code [C, H, W]} or {@code [H, W, C]}) contiguous. */
    static boolean applies(INDArray src, INDArray dst) {
        return HOST_BACKEND && src.dataType() == dst.dataType() && !src.isEmpty()
                && frameContiguous(src) && frameContiguous(dst);
    }

    private static boolean frameContiguous(INDArray a) {
        long[] st = a.stride();
        return a.rank() == 4 && st[3] == 1 && st[2] == a.size(3) && st[1] == a.size(2) * a.size(3);
    }

    /**
     * NCHW: for every frame k of every clip, dst channels [from, to) = src frame k + step's, or zeros
     * where k + step leaves the clip.
     */
    static void nchw(INDArray src, INDArray dst, int segments, long from, long to, int step) {
        if (from >= to) {
            return;
        }
        long width = src.dataType().width();
        long plane = src.size(2) * src.size(3) * width;
        long bytes = (to - from) * plane;
        long srcFrame = src.stride(0) * width;
        long dstFrame = dst.stride(0) * width;
        BytePointer s = new BytePointer(src.data().addressPointer());
        BytePointer d = new BytePointer(dst.data().addressPointer());
        long frames = src.size(0);
        for (long k = 0; k < frames; k++) {
            long t = k % segments;
            d.position(k * dstFrame + from * plane);
            if (t + step < 0 || t + step >= segments) {
                Pointer.memset(d, 0, bytes);
            } else {
                s.position((k + step) * srcFrame + from * plane);
                Pointer.memcpy(d, s, bytes);
            }
        }
    }

    /**
     * Whether {@link #nhwc} can address both arrays with {@code int} byte offsets (each spans less than 2 GiB,
     * frames in increasing memory order).
     */
    static boolean nhwcApplies(INDArray src, INDArray dst) {
        return src.stride(0) > 0 && dst.stride(0) > 0 && span(src) <= Integer.MAX_VALUE
                && span(dst) <= Integer.MAX_VALUE;
    }

    /** Bytes from the first element of frame 0 to the end of the last frame. */
    private static long span(INDArray a) {
        long width = a.dataType().width();
        long frameBytes = a.size(1) * a.size(2) * a.size(3) * width;
        return (a.size(0) - 1) * a.stride(0) * width + frameBytes;
    }

    /**
     * NHWC, one pass: for every frame k (position t = k mod T in its clip) and pixel, dst channels
     * {@code [0, fold)} = src frame k + step0's, channels {@code [fold, 2·fold)} = src frame k + step1's
     * when step1 ≠ 0, the rest = src frame k's; zeros where k + step leaves the clip. Requires
     * {@link #applies} and {@link #nhwcApplies}. {@code threads}: 1 = the calling thread only, n &gt; 1 = split
     * large arrays over n threads, 0 = ND4J's thread count.
     */
    static void nhwc(INDArray src, INDArray dst, int segments, long channels, int fold, int step0, int step1,
            int threads) {
        int width = src.dataType().width();
        int frames = (int) src.size(0);
        int pixels = (int) (src.size(1) * src.size(2));
        NhwcJob job = new NhwcJob(buffer(src), buffer(dst), zeros(fold * width), segments,
                Math.toIntExact(src.stride(0) * width), Math.toIntExact(dst.stride(0) * width),
                pixels, (int) channels * width, fold * width, step0, step1);
        long total = (long) frames * pixels;
        long bytes = total * channels * width;
        int wanted = threads == 0 ? Nd4j.getEnvironment().maxThreads() : threads;
        int parts = (int) Math.min(Math.min(wanted, MAX_HELPERS + 1L), Math.max(1, bytes / parallelMinBytes));
        if (parts <= 1) {
            job.run(0, total);
            return;
        }
        ExecutorService helpers = pool();
        Future<?>[] futures = new Future<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            long from = total * i / parts;
            long to = total * (i + 1) / parts;
            futures[i - 1] = helpers.submit(() -> job.run(from, to));
        }
        job.run(0, total / parts);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("TemporalShift: interrupted while waiting for the shift helpers", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("TemporalShift: a shift helper thread failed", e.getCause());
            }
        }
    }

    /** For tests: sets the split threshold, returns the previous one. */
    static long parallelMinBytes(long bytes) {
        long previous = parallelMinBytes;
        parallelMinBytes = Math.max(1, bytes);
        return previous;
    }

    /** A direct buffer over the array's host memory, from the first element of frame 0. */
    private static ByteBuffer buffer(INDArray a) {
        long bytes = span(a);
        return new BytePointer(a.data().addressPointer()).capacity(bytes).limit(bytes).asByteBuffer();
    }

    private static ByteBuffer zeros(int bytes) {
        ByteBuffer z = zeros;
        if (z.capacity() < bytes) {
            z = ByteBuffer.allocateDirect(Integer.highestOneBit(bytes) << 1);
            zeros = z;
        }
        return z;
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (HostCopy.class) {
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

    /** The NHWC shift over a range of (frame, pixel) items; byte offsets throughout. */
    private record NhwcJob(ByteBuffer src, ByteBuffer dst, ByteBuffer zeros, int segments, int srcFrame,
            int dstFrame, int pixels, int pixelBytes, int foldBytes, int step0, int step1) {

        void run(long fromItem, long toItem) {
            int restFrom = step1 != 0 ? 2 * foldBytes : foldBytes;
            int restBytes = pixelBytes - restFrom;
            int k = (int) (fromItem / pixels);
            int p = (int) (fromItem % pixels);
            long left = toItem - fromItem;
            while (left > 0) {
                int count = (int) Math.min(left, pixels - p);
                int t = k % segments;
                int s = k * srcFrame + p * pixelBytes;
                int d = k * dstFrame + p * pixelBytes;
                int s0 = t + step0 >= 0 && t + step0 < segments ? s + step0 * srcFrame : -1;
                int s1 = step1 != 0 && t + step1 >= 0 && t + step1 < segments ? s + step1 * srcFrame + foldBytes : -1;
                for (int i = 0; i < count; i++, s += pixelBytes, d += pixelBytes) {
                    if (s0 >= 0) {
                        dst.put(d, src, s0, foldBytes);
                        s0 += pixelBytes;
                    } else {
                        dst.put(d, zeros, 0, foldBytes);
                    }
                    if (step1 != 0) {
                        if (s1 >= 0) {
                            dst.put(d + foldBytes, src, s1, foldBytes);
                            s1 += pixelBytes;
                        } else {
                            dst.put(d + foldBytes, zeros, 0, foldBytes);
                        }
                    }
                    dst.put(d + restFrom, src, s + restFrom, restBytes);
                }
                left -= count;
                k++;
                p = 0;
            }
        }
    }
}
