package io.github.tsm4j.core;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The temporal shift of TSM (Lin, Gan, Han, ICCV 2019, arXiv:1811.08383, Section 3): a zero-FLOP,
 * zero-parameter operation that moves a fraction of the channels of every frame one frame forward
 * or backward in time, so that the following 2D convolution mixes information of neighbouring frames.
 *
 * <p>Input and output are {@code [N·T, C, H, W]} ({@link CNN2DFormat#NCHW}) or {@code [N·T, H, W, C]}
 * ({@link CNN2DFormat#NHWC}): N clips of T frames ({@code segments}), the frames of one clip contiguous
 * along the first axis. With {@code fold = C / foldDiv} the channels move as {@link ShiftDirection}
 * describes; channels that would come from outside the clip are zero.
 *
 * <p>This class is the one implementation of the shift in tsm4j: the DL4J layers and
 * {@link OnlineShift} reuse it. Both {@link #forward} and {@link #backward} (the adjoint, which is the
 * same shift run the other way) write into a caller-supplied output array: no temporary arrays are
 * allocated per call, so output arrays from a DL4J workspace work as-is. Input and output must not
 * overlap. On the CPU backend, when every frame of both arrays is contiguous (the usual case), each
 * channel block of an NCHW frame is one contiguous run and is copied with {@code memcpy}/{@code memset}
 * on the calling thread, as fast as a plain copy of the array; NHWC is ONE pass over the array: per
 * (frame, pixel) the two shifted folds and the unshifted rest are written side by side with Java bulk
 * copies between direct buffers over the host memory (zeros at the clip ends). Otherwise (another
 * backend, strided frames, or {@link Kernel#VIEWS}) the array is viewed as {@code [N, T, ...]} clips and the
 * blocks are moved by ND4J {@code assign}s of strided views; both paths give identical results.
 *
 * <pre>{@code
 * INDArray x = Nd4j.rand(DataType.FLOAT, 2 * 8, 64, 56, 56);          // N=2 clips, T=8, NCHW
 * INDArray y = TemporalShift.shift(x, 8, 8, ShiftDirection.BIDIRECTIONAL, CNN2DFormat.NCHW);
 * }</pre>
 */
public final class TemporalShift {

    /** The paper's fraction: 1/8 of the channels move each way. */
    public static final int DEFAULT_FOLD_DIV = 8;

    private TemporalShift() {
    }

    /**
     * Which implementation moves the data. {@code HOST}: the host-memory kernels of {@link HostCopy} where they
     * apply (CPU backend, contiguous frames), the view path elsewhere; {@code VIEWS}: always ND4J
     * {@code assign}s of strided views (any backend, any strides). Chosen per call (the layers carry it in their
     * configuration, set from {@link ExecutionOptions#shiftKernel()}); both give identical results.
     */
    public enum Kernel {
        /** Host-memory kernels where they apply (the default). */
        HOST,
        /** ND4J assigns of strided views only (the generic path). */
        VIEWS
    }

    /** The default kernel: {@link Kernel#HOST}. */
    public static final Kernel DEFAULT_KERNEL = Kernel.HOST;
    /** The default thread count of the NHWC host kernel: 1, the calling thread. */
    public static final int DEFAULT_THREADS = 1;

    /**
     * Shifts {@code in} into {@code out} (forward pass).
     *
     * @param in input {@code [N·T, C, H, W]} (NCHW) or {@code [N·T, H, W, C]} (NHWC)
     * @param out output of the same shape, overwritten entirely; must not overlap {@code in}
     * @param segments frames per clip T, at least 1
     * @param foldDiv channel fraction divisor, at least 2, at most C; {@code fold = C / foldDiv}
     * @param direction which channels move which way
     * @param format where the channel axis is
     * @throws IllegalArgumentException if the shapes or settings do not fit (the message names the
     *     value and the expected layout)
     */
    public static void forward(INDArray in, INDArray out, int segments, int foldDiv,
            ShiftDirection direction, CNN2DFormat format) {
        forward(in, out, segments, foldDiv, direction, format, DEFAULT_KERNEL, DEFAULT_THREADS);
    }

    /**
     * As {@link #forward(INDArray, INDArray, int, int, ShiftDirection, CNN2DFormat)} with an explicit kernel.
     *
     * @param in input {@code [N·T, C, H, W]} (NCHW) or {@code [N·T, H, W, C]} (NHWC)
     * @param out output of the same shape, overwritten entirely; must not overlap {@code in}
     * @param segments frames per clip T
     * @param foldDiv channel fraction divisor
     * @param direction which channels move which way
     * @param format where the channel axis is
     * @param kernel which implementation moves the data
     * @param threads threads of the NHWC host kernel: 1 = calling thread, n &gt; 1 = up to n, 0 = ND4J's count
     */
    public static void forward(INDArray in, INDArray out, int segments, int foldDiv,
            ShiftDirection direction, CNN2DFormat format, Kernel kernel, int threads) {
        int fold = validate(in, out, segments, foldDiv, format);
        checkKernel(kernel, threads);
        long channels = channels(in, format);
        switch (direction) {
            // [0, fold) from t+1, [fold, 2·fold) from t−1
            case BIDIRECTIONAL -> move(in, out, segments, format, channels, fold, +1, -1, kernel, threads);
            // [0, fold) from t−1
            case UNIDIRECTIONAL -> move(in, out, segments, format, channels, fold, -1, 0, kernel, threads);
        }
    }

    /**
     * The adjoint of {@link #forward} (backward pass): {@code gradIn = Sᵀ gradOut}, so that
     * {@code ⟨S x, y⟩ = ⟨x, Sᵀ y⟩}. It is the same shift with every moved block going the other way.
     *
     * @param gradOut gradient with respect to the shift's output, shape of the input
     * @param gradIn gradient with respect to the shift's input, overwritten entirely; must not
     *     overlap {@code gradOut}
     * @param segments frames per clip T
     * @param foldDiv channel fraction divisor
     * @param direction the direction of the forward shift
     * @param format where the channel axis is
     * @throws IllegalArgumentException as {@link #forward}
     */
    public static void backward(INDArray gradOut, INDArray gradIn, int segments, int foldDiv,
            ShiftDirection direction, CNN2DFormat format) {
        backward(gradOut, gradIn, segments, foldDiv, direction, format, DEFAULT_KERNEL, DEFAULT_THREADS);
    }

    /**
     * As {@link #backward(INDArray, INDArray, int, int, ShiftDirection, CNN2DFormat)} with an explicit kernel.
     *
     * @param gradOut gradient with respect to the shift's output
     * @param gradIn gradient with respect to the shift's input, overwritten entirely
     * @param segments frames per clip T
     * @param foldDiv channel fraction divisor
     * @param direction the direction of the forward shift
     * @param format where the channel axis is
     * @param kernel which implementation moves the data
     * @param threads threads of the NHWC host kernel: 1 = calling thread, n &gt; 1 = up to n, 0 = ND4J's count
     */
    public static void backward(INDArray gradOut, INDArray gradIn, int segments, int foldDiv,
            ShiftDirection direction, CNN2DFormat format, Kernel kernel, int threads) {
        int fold = validate(gradOut, gradIn, segments, foldDiv, format);
        checkKernel(kernel, threads);
        long channels = channels(gradOut, format);
        switch (direction) {
            case BIDIRECTIONAL -> move(gradOut, gradIn, segments, format, channels, fold, -1, +1, kernel, threads);
            case UNIDIRECTIONAL -> move(gradOut, gradIn, segments, format, channels, fold, +1, 0, kernel, threads);
        }
    }

    private static void checkKernel(Kernel kernel, int threads) {
        if (kernel == null) {
            throw new IllegalArgumentException("TemporalShift: kernel is null, expected HOST or VIEWS");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("TemporalShift: threads must be >= 0 (1 = calling thread, "
                    + "0 = ND4J's thread count), found " + threads);
        }
    }

    /**
     * Convenience: allocates the output ({@code in.ulike()}, in the current workspace if any) and
     * runs {@link #forward}.
     *
     * @param in input {@code [N·T, C, H, W]} (NCHW) or {@code [N·T, H, W, C]} (NHWC)
     * @param segments frames per clip T
     * @param foldDiv channel fraction divisor
     * @param direction which channels move which way
     * @param format where the channel axis is
     * @return the shifted array, same shape and data type as {@code in}
     */
    public static INDArray shift(INDArray in, int segments, int foldDiv, ShiftDirection direction,
            CNN2DFormat format) {
        if (in == null) {
            throw new IllegalArgumentException("TemporalShift: input array is null");
        }
        INDArray out = in.ulike();
        forward(in, out, segments, foldDiv, direction, format);
        return out;
    }

    /**
     * The number of channels that move each way.
     *
     * @param channels C
     * @param foldDiv divisor
     * @return {@code C / foldDiv} (integer division, as the official code)
     */
    public static int fold(long channels, int foldDiv) {
        return (int) (channels / foldDiv);
    }

    /**
     * Checks the shapes and settings of a shift and returns {@code fold}.
     *
     * @param in input
     * @param out output (may be {@code null} to check the input only)
     * @param segments frames per clip
     * @param foldDiv divisor
     * @param format layout
     * @return fold = C / foldDiv, at least 1
     * @throws IllegalArgumentException naming the offending value and the expected layout
     */
    public static int validate(INDArray in, INDArray out, int segments, int foldDiv, CNN2DFormat format) {
        if (in == null) {
            throw new IllegalArgumentException("TemporalShift: input array is null");
        }
        if (format == null) {
            throw new IllegalArgumentException("TemporalShift: dataFormat is null, expected NCHW or NHWC");
        }
        if (in.rank() != 4) {
            throw new IllegalArgumentException("TemporalShift: input must have rank 4 " + layout(format)
                    + ", found rank " + in.rank() + " with shape " + Arrays.toString(in.shape()));
        }
        if (segments < 1) {
            throw new IllegalArgumentException("TemporalShift: segments must be >= 1, found " + segments);
        }
        if (foldDiv < 2) {
            throw new IllegalArgumentException("TemporalShift: foldDiv must be >= 2, found " + foldDiv);
        }
        long frames = in.size(0);
        if (frames % segments != 0) {
            throw new IllegalArgumentException("TemporalShift: first dimension N·T = " + frames
                    + " is not divisible by segments T = " + segments + "; expected " + layout(format)
                    + " with the T frames of each clip contiguous, found shape " + Arrays.toString(in.shape()));
        }
        long channels = channels(in, format);
        if (channels < foldDiv) {
            throw new IllegalArgumentException("TemporalShift: channels C = " + channels + " < foldDiv = "
                    + foldDiv + " (fold would be 0 and nothing would shift); expected " + layout(format)
                    + ", found shape " + Arrays.toString(in.shape()));
        }
        if (out != null && !Arrays.equals(in.shape(), out.shape())) {
            throw new IllegalArgumentException("TemporalShift: output shape " + Arrays.toString(out.shape())
                    + " differs from input shape " + Arrays.toString(in.shape()) + " " + layout(format));
        }
        return fold(channels, foldDiv);
    }

    /**
     * The channel count of a rank-4 array in the given layout.
     *
     * @param a {@code [B, C, H, W]} or {@code [B, H, W, C]}
     * @param format layout
     * @return C
     */
    public static long channels(INDArray a, CNN2DFormat format) {
        return switch (format) {
            case NCHW -> a.size(1);
            case NHWC -> a.size(3);
        };
    }

    /**
     * A view of channels {@code [from, to)} of a rank-4 array (all frames, all pixels).
     *
     * @param a {@code [B, C, H, W]} or {@code [B, H, W, C]}
     * @param format layout
     * @param from first channel
     * @param to one past the last channel
     * @return the view (shares memory with {@code a})
     */
    public static INDArray channelBlock(INDArray a, CNN2DFormat format, long from, long to) {
        INDArrayIndex c = NDArrayIndex.interval(from, to);
        return switch (format) {
            case NCHW -> a.get(NDArrayIndex.all(), c, NDArrayIndex.all(), NDArrayIndex.all());
            case NHWC -> a.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), c);
        };
    }

    static String layout(CNN2DFormat format) {
        return switch (format) {
            case NCHW -> "[N·T, C, H, W] (NCHW)";
            case NHWC -> "[N·T, H, W, C] (NHWC)";
        };
    }

    /**
     * dst = shift of src: channels [0, fold) take frame t + step0, channels [fold, 2·fold) take frame
     * t + step1 when step1 ≠ 0, the rest are copied; frames from outside the clip are zero.
     */
    private static void move(INDArray src, INDArray dst, int segments, CNN2DFormat format, long channels,
            int fold, int step0, int step1, Kernel kernel, int threads) {
        long restFrom = step1 != 0 ? 2L * fold : fold;
        if (kernel == Kernel.HOST && HostCopy.applies(src, dst)) {
            switch (format) {
                case NCHW -> {
                    // each channel block of a frame is one contiguous run: copy runs on the calling thread
                    HostCopy.nchw(src, dst, segments, 0, fold, step0);
                    if (step1 != 0) {
                        HostCopy.nchw(src, dst, segments, fold, 2L * fold, step1);
                    }
                    HostCopy.nchw(src, dst, segments, restFrom, channels, 0);
                    return;
                }
                case NHWC -> {
                    // the channels of a pixel are contiguous: one pass, per pixel the folds and the rest
                    if (HostCopy.nhwcApplies(src, dst)) {
                        HostCopy.nhwc(src, dst, segments, channels, fold, step0, step1, threads);
                        return;
                    }
                }
            }
        }
        ClipView s = ClipView.of(src, segments, format);
        ClipView d = ClipView.of(dst, segments, format);
        moveBlock(s, d, segments, 0, fold, step0);
        if (step1 != 0) {
            moveBlock(s, d, segments, fold, 2L * fold, step1);
        }
        moveBlock(s, d, segments, restFrom, channels, 0);
    }

    /** d[:, t, from:to] = s[:, t + step, from:to], zero where t + step is outside [0, T). */
    private static void moveBlock(ClipView s, ClipView d, int segments, long from, long to, int step) {
        if (from >= to) {
            return;
        }
        if (step == 0) {
            d.block(0, segments, from, to).assign(s.block(0, segments, from, to));
            return;
        }
        if (segments <= 1) {
            d.block(0, segments, from, to).assign(0);
            return;
        }
        if (step > 0) {
            // frame t takes frame t+1; the last frame has no successor
            d.block(0, segments - 1, from, to).assign(s.block(1, segments, from, to));
            d.block(segments - 1, segments, from, to).assign(0);
        } else {
            // frame t takes frame t−1; the first frame has no predecessor
            d.block(1, segments, from, to).assign(s.block(0, segments - 1, from, to));
            d.block(0, 1, from, to).assign(0);
        }
    }

    /**
     * A view of a {@code [N·T, ...]} array as clips: {@code [N, T, C·H·W]} when the channels and
     * pixels of a frame are contiguous (NCHW, the usual case), {@code [N, T, H·W, C]} for contiguous
     * NHWC frames, otherwise {@code [N, T, C, H, W]} / {@code [N, T, H, W, C]} with the array's own
     * strides. Only reshapes that ND4J performs without copying are used.
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
