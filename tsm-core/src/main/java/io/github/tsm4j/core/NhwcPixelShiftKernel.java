package io.github.tsm4j.core;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The NHWC host kernel: in a contiguous {@code [H, W, C]} frame the channels of one pixel are contiguous, so the
 * shift is ONE pass over the array in which every (frame, pixel) gets its {@link ShiftPlan.Move} blocks written
 * side by side, each block one short run copied from the pixel of the source frame (or zeroed at the clip ends):
 * e.g. three runs of 32, 32 and 192 floats per pixel for C = 256 ({@link HostMemory#copyRun}: short runs as 8-byte
 * moves, longer ones by the JVM's copy stub). The (frame, pixel) items are split over the
 * threads ({@link HostMemory#split}). Needs the CPU backend and contiguous frames (any frame stride); otherwise
 * {@link TemporalShift} uses {@link StridedViewShiftKernel}.
 */
final class NhwcPixelShiftKernel implements ShiftKernel {

    static final NhwcPixelShiftKernel INSTANCE = new NhwcPixelShiftKernel(HostMemory.PARALLEL_MIN_BYTES);

    /** Bytes each thread moves at least; smaller jobs use fewer threads. */
    private final long minPartBytes;

    /** @param minPartBytes bytes each thread moves at least (tests lower it to split small arrays) */
    NhwcPixelShiftKernel(long minPartBytes) {
        this.minPartBytes = minPartBytes;
    }

    @Override
    public void run(ShiftPlan plan, INDArray src, INDArray dst, CNN2DFormat format, int threads) {
        long width = src.dataType().width();
        long pixels = src.size(1) * src.size(2);
        long pixelBytes = plan.channels() * width;
        long srcFrame = src.stride(0) * width;
        long dstFrame = dst.stride(0) * width;
        long srcBase = HostMemory.address(src);
        long dstBase = HostMemory.address(dst);
        int segments = plan.segments();
        int blocks = plan.moves().size();
        long[] offset = new long[blocks];
        long[] bytes = new long[blocks];
        int[] step = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            ShiftPlan.Move m = plan.moves().get(b);
            offset[b] = m.from() * width;
            bytes[b] = m.width() * width;
            step[b] = m.step();
        }
        long total = src.size(0) * pixels;
        HostMemory.split(total, total * pixelBytes, threads, minPartBytes, (i0, i1) -> {
            long k = i0 / pixels;
            long p = i0 % pixels;
            long[] from = new long[blocks];
            for (long left = i1 - i0; left > 0; k++, p = 0) {
                long count = Math.min(left, pixels - p);
                int t = (int) (k % segments);
                for (int b = 0; b < blocks; b++) {
                    int s = t + step[b];
                    from[b] = s < 0 || s >= segments ? -1 : srcBase + (k + step[b]) * srcFrame + p * pixelBytes + offset[b];
                }
                long d = dstBase + k * dstFrame + p * pixelBytes;
                // pixel by pixel, the blocks of a pixel side by side: the destination is written in order
                for (long i = 0; i < count; i++, d += pixelBytes) {
                    for (int b = 0; b < blocks; b++) {
                        if (from[b] < 0) {
                            HostMemory.zeroRun(d + offset[b], bytes[b]);
                        } else {
                            HostMemory.copyRun(from[b], d + offset[b], bytes[b]);
                            from[b] += pixelBytes;
                        }
                    }
                }
                left -= count;
            }
        });
    }
}
