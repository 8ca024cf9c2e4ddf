package io.github.tsm4j.core;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A multi-threaded copy of a contiguous host array: the bytes cut into contiguous chunks (4 per thread), each one
 * {@code memcpy}, claimed in turn by the calling thread and the helper threads of the host shift kernels (which join
 * in about a microsecond; a helper that is not scheduled leaves its chunks to the caller). It is the yardstick {@code tsm bench} measures the shift kernels against (the same
 * threads, so the comparison is of the kernels alone), and a copy an application may use for large host arrays.
 *
 * <p>Both arrays must lie densely in row-major order (c-order strides; dimensions of size 1 may have any stride), be
 * of the same data type and length, in host memory (the CPU backend), and must not overlap. Shapes may differ.
 */
public final class HostCopy {

    private HostCopy() {
    }

    /**
     * Copies {@code src} into {@code dst}.
     *
     * @param src source, contiguous
     * @param dst destination, contiguous, same data type and length, not overlapping {@code src}
     * @param threads 1 = the calling thread, n &gt; 1 = up to n (parts of at least 256 KiB), 0 = ND4J's count
     * @throws IllegalArgumentException if an array is not contiguous host memory or they do not match
     */
    public static void copy(INDArray src, INDArray dst, int threads) {
        check(src, "src");
        check(dst, "dst");
        if (src.dataType() != dst.dataType() || src.length() != dst.length()) {
            throw new IllegalArgumentException("HostCopy: src and dst must have the same data type and length, found "
                    + src.dataType() + " × " + src.length() + " and " + dst.dataType() + " × " + dst.length());
        }
        if (threads < 0) {
            throw new IllegalArgumentException("HostCopy: threads must be >= 0 (1 = calling thread, 0 = ND4J's "
                    + "thread count), found " + threads);
        }
        long bytes = src.length() * src.dataType().width();
        long from = HostMemory.address(src);
        long to = HostMemory.address(dst);
        if (from < to + bytes && to < from + bytes) {
            throw new IllegalArgumentException("HostCopy: src and dst overlap");
        }
        int n = threads == 0 ? Math.max(1, Nd4j.getEnvironment().maxThreads()) : threads;
        HostMemory.split(bytes, bytes, n, HostMemory.PARALLEL_MIN_BYTES,
                (a, b) -> HostMemory.memcpy(from + a, to + a, b - a));
    }

    /**
     * Whether the elements lie in memory densely in row-major order (dimensions of size 1 have any stride): what
     * native code that walks the array as one block of memory needs.
     *
     * @param a an array
     * @return true when dense row-major
     */
    public static boolean rowMajorDense(INDArray a) {
        long expected = 1;
        for (int d = a.rank() - 1; d >= 0; d--) {
            if (a.size(d) != 1 && a.stride(d) != expected) {
                return false;
            }
            expected *= a.size(d);
        }
        return true;
    }

    private static void check(INDArray a, String name) {
        if (!HostMemory.hostArray(a) || !rowMajorDense(a)) {
            throw new IllegalArgumentException("HostCopy: " + name + " must be a contiguous c-order array in host "
                    + "memory (CPU backend), found shape " + Arrays.toString(a.shape()) + ", strides "
                    + Arrays.toString(a.stride()) + ", order " + a.ordering());
        }
    }
}
