package io.github.tsm4j.core;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The NCHW host kernel: in a contiguous {@code [C, H, W]} frame every {@link ShiftPlan.Move} is ONE contiguous run
 * of {@code (to − from)·H·W} elements, so the shift is a {@code memcpy} (or {@code memset} for the clip ends) per
 * frame and block: the same bytes a plain copy of the array moves, in runs of hundreds of kilobytes. The runs are
 * laid end to end and split by bytes over the threads ({@link HostMemory#split}), so two threads copy half each.
 * Needs the CPU backend and contiguous frames (any frame stride); otherwise {@link TemporalShift} uses
 * {@link StridedViewShiftKernel}.
 */
final class NchwBlockShiftKernel implements ShiftKernel {

    static final NchwBlockShiftKernel INSTANCE = new NchwBlockShiftKernel(HostMemory.PARALLEL_MIN_BYTES);

    /** Bytes each thread moves at least; smaller jobs use fewer threads. */
    private final long minPartBytes;

    /** @param minPartBytes bytes each thread moves at least (tests lower it to split small arrays) */
    NchwBlockShiftKernel(long minPartBytes) {
        this.minPartBytes = minPartBytes;
    }

    @Override
    public void run(ShiftPlan plan, INDArray src, INDArray dst, CNN2DFormat format, int threads) {
        long width = src.dataType().width();
        long plane = src.size(2) * src.size(3) * width;     // bytes of one channel
        long frameBytes = plane * plan.channels();
        long srcFrame = src.stride(0) * width;
        long dstFrame = dst.stride(0) * width;
        long srcBase = HostMemory.address(src);
        long dstBase = HostMemory.address(dst);
        int segments = plan.segments();
        ShiftPlan.Move[] moves = plan.moves().toArray(ShiftPlan.Move[]::new);
        long total = src.size(0) * frameBytes;
        HostMemory.split(total, total, threads, minPartBytes, (g0, g1) -> {
            // bytes [g0, g1) of the frames laid end to end: frame k, then each block of the frame in channel order
            for (long k = g0 / frameBytes; k * frameBytes < g1; k++) {
                int t = (int) (k % segments);
                for (ShiftPlan.Move m : moves) {
                    long blockStart = k * frameBytes + m.from() * plane;
                    long lo = Math.max(g0, blockStart);
                    long hi = Math.min(g1, blockStart + m.width() * plane);
                    if (lo >= hi) {
                        continue;
                    }
                    long inFrame = lo - k * frameBytes;
                    long d = dstBase + k * dstFrame + inFrame;
                    int s = m.source(t, segments);
                    if (s < 0) {
                        HostMemory.zero(d, hi - lo);
                    } else {
                        HostMemory.copy(srcBase + (k - t + s) * srcFrame + inFrame, d, hi - lo);
                    }
                }
            }
        });
    }
}
