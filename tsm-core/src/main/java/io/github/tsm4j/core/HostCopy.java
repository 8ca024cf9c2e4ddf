package io.github.tsm4j.core;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies of contiguous runs of host memory on the calling thread (memcpy/memset), for the CPU backend.
 *
 * <p>Why: an ND4J op on a strided view is split over libnd4j's worker threads, and each such op waits for
 * them to be scheduled; a shift made of several view ops then costs several hand-offs, which on a busy
 * machine dominate (measured: ~20 ms per op with load average 15 on 2 cores, against ~0.3 ms for the same
 * copy run by memcpy). Every channel block of an NCHW frame is one contiguous run, so the shift becomes
 * a few memcpy/memset calls per frame, like ND4J's own {@code assign} of whole contiguous arrays.
 */
final class HostCopy {

    /** Host pointers are the array memory only on the CPU backend (CUDA keeps a device copy). */
    private static final boolean HOST_BACKEND = "CpuBackend".equals(Nd4j.getBackend().getClass().getSimpleName());

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

    /** dst frames = src frames (one memcpy when both arrays are fully contiguous). */
    static void frames(INDArray src, INDArray dst) {
        long width = src.dataType().width();
        long frameBytes = src.size(1) * src.size(2) * src.size(3) * width;
        long frames = src.size(0);
        BytePointer s = new BytePointer(src.data().addressPointer());
        BytePointer d = new BytePointer(dst.data().addressPointer());
        if (src.stride(0) * width == frameBytes && dst.stride(0) * width == frameBytes) {
            Pointer.memcpy(d, s, frames * frameBytes);
            return;
        }
        for (long k = 0; k < frames; k++) {
            d.position(k * dst.stride(0) * width);
            s.position(k * src.stride(0) * width);
            Pointer.memcpy(d, s, frameBytes);
        }
    }
}
