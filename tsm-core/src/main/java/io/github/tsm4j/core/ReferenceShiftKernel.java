package io.github.tsm4j.core;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The definition, element by element: for every frame k (position {@code t = k mod T} in its clip), every channel
 * c of a {@link ShiftPlan.Move} and every pixel, {@code dst[k, c, h, w] = src[k − t + s, c, h, w]} with
 * {@code s = t + step}, or 0 where s is outside the clip. Any backend, any strides; one scalar read and write per
 * element, so it is slow: the yardstick the fast kernels are tested against ({@link TemporalShift.Kernel#REFERENCE}).
 */
final class ReferenceShiftKernel implements ShiftKernel {

    static final ReferenceShiftKernel INSTANCE = new ReferenceShiftKernel();

    private ReferenceShiftKernel() {
    }

    @Override
    public void run(ShiftPlan plan, INDArray src, INDArray dst, CNN2DFormat format, int threads) {
        int segments = plan.segments();
        long frames = src.size(0);
        long height = format == CNN2DFormat.NCHW ? src.size(2) : src.size(1);
        long width = format == CNN2DFormat.NCHW ? src.size(3) : src.size(2);
        for (long k = 0; k < frames; k++) {
            int t = (int) (k % segments);
            for (ShiftPlan.Move move : plan.moves()) {
                int s = move.source(t, segments);
                long from = k - t + s;
                for (long c = move.from(); c < move.to(); c++) {
                    for (long h = 0; h < height; h++) {
                        for (long w = 0; w < width; w++) {
                            double v = s < 0 ? 0.0 : src.getDouble(index(format, from, c, h, w));
                            dst.putScalar(index(format, k, c, h, w), v);
                        }
                    }
                }
            }
        }
    }

    private static long[] index(CNN2DFormat format, long frame, long c, long h, long w) {
        return format == CNN2DFormat.NCHW ? new long[] {frame, c, h, w} : new long[] {frame, h, w, c};
    }
}
