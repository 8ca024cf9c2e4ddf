package io.github.tsm4j.core;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The generic kernel ({@link TemporalShift.Kernel#VIEWS}, and the fallback of {@code HOST} for other backends or
 * frames that are not contiguous): both arrays are viewed as clips {@code [N, T, ...]} and every
 * {@link ShiftPlan.Move} is at most two ND4J {@code assign}s of strided views (frames that have a source, then
 * zeros for the clip end without one). Any backend, any strides; libnd4j copies rank-4 strided views slowly.
 */
final class StridedViewShiftKernel implements ShiftKernel {

    static final StridedViewShiftKernel INSTANCE = new StridedViewShiftKernel();

    private StridedViewShiftKernel() {
    }

    @Override
    public void run(ShiftPlan plan, INDArray src, INDArray dst, CNN2DFormat format, int threads) {
        int segments = plan.segments();
        ClipView s = ClipView.of(src, segments, format);
        ClipView d = ClipView.of(dst, segments, format);
        for (ShiftPlan.Move move : plan.moves()) {
            long from = move.from();
            long to = move.to();
            int step = move.step();
            int lo = Math.max(0, -step);                  // first frame with a source
            int hi = Math.min(segments, segments - step);  // one past the last
            if (lo < hi) {
                d.block(lo, hi, from, to).assign(s.block(lo + step, hi + step, from, to));
            }
            if (lo > 0) {
                d.block(0, lo, from, to).assign(0);
            }
            if (hi < segments) {
                d.block(Math.max(hi, lo), segments, from, to).assign(0);
            }
        }
    }

    /**
     * A view of a {@code [N·T, ...]} array as clips: {@code [N, T, C·H·W]} when the channels and pixels of a frame
     * are contiguous (NCHW), {@code [N, T, H·W, C]} for contiguous NHWC frames, otherwise {@code [N, T, C, H, W]} /
     * {@code [N, T, H, W, C]} with the array's own strides. Only reshapes that ND4J performs without copying.
     */
    private record ClipView(INDArray view, int channelAxis, long channelScale) {

        static ClipView of(INDArray a, int segments, CNN2DFormat format) {
            long n = a.size(0) / segments;
            long[] st = a.stride();
            long d1 = a.size(1);
            long d2 = a.size(2);
            long d3 = a.size(3);
            boolean frameContiguous = st[3] == 1 && st[2] == d3 && st[1] == d2 * d3;
            if (frameContiguous && format == CNN2DFormat.NCHW) {
                return new ClipView(view(a, n, segments, d1 * d2 * d3), 2, d2 * d3);
            }
            if (frameContiguous && format == CNN2DFormat.NHWC) {
                return new ClipView(view(a, n, segments, d1 * d2, d3), 3, 1);
            }
            return new ClipView(view(a, n, segments, d1, d2, d3), format == CNN2DFormat.NCHW ? 2 : 4, 1);
        }

        /** A reshaped view sharing a's memory; never a copy (writing into a copy would lose the output). */
        private static INDArray view(INDArray a, long... shape) {
            INDArray v = Shape.newShapeNoCopy(a, shape, false);
            if (v == null) {
                throw new IllegalStateException("TemporalShift: cannot view array of shape "
                        + Arrays.toString(a.shape()) + " and strides " + Arrays.toString(a.stride())
                        + " as " + Arrays.toString(shape) + " without copying");
            }
            return v;
        }

        /** Frames [t0, t1) of every clip, channels [c0, c1). */
        INDArray block(long t0, long t1, long c0, long c1) {
            INDArrayIndex[] idx = new INDArrayIndex[view.rank()];
            Arrays.fill(idx, NDArrayIndex.all());
            idx[1] = NDArrayIndex.interval(t0, t1);
            idx[channelAxis] = NDArrayIndex.interval(c0 * channelScale, c1 * channelScale);
            return view.get(idx);
        }
    }
}
