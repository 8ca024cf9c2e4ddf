package io.github.tsm4j.core;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * describes; channels that would come from outside the clip are zero. {@link ShiftPlan} states the operation
 * block by block; with {@code C < foldDiv} (fold = 0) nothing moves and the output is a copy, as in the
 * official code.
 *
 * <p>This class is the one entry point of the shift in tsm4j: the DL4J layers and {@link OnlineShift} reuse it.
 * Both {@link #forward} and {@link #backward} (the adjoint, which is the same shift run the other way) write into
 * a caller-supplied output array: no temporary arrays are allocated per call, so output arrays from a DL4J
 * workspace work as-is. Input and output must not overlap. The plan is executed by one of the kernels, chosen by
 * {@link Kernel} ({@link ExecutionOptions#shiftKernel()}), all bit-identical to the element-by-element definition
 * ({@link Kernel#REFERENCE}, tested):
 * <ul>
 *   <li>{@code HOST} on the CPU backend with contiguous frames: NCHW — one {@code memcpy}/{@code memset} per frame
 *       and channel block ({@code NchwBlockShiftKernel}); NHWC — one pass, per pixel a short run per block
 *       ({@code NhwcPixelShiftKernel}); both split over {@code threads}.</li>
 *   <li>{@code VIEWS} (and {@code HOST} elsewhere): ND4J {@code assign}s of strided clip views
 *       ({@code StridedViewShiftKernel}), any backend and strides.</li>
 *   <li>{@code ONEDNN}: oneDNN reorders of strided clip views on oneDNN's OpenMP threads ({@link OneDnnShift}), for
 *       float32 host arrays where oneDNN's natives load, {@code HOST} otherwise; inside a training step (cold
 *       caches, oneDNN's workers already spinning) the fastest, standalone in warm caches the host kernels are.</li>
 * </ul>
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
     * Which kernel moves the data. Chosen per call (the layers carry it in their configuration, set from
     * {@link ExecutionOptions#shiftKernel()}); all give identical results.
     */
    public enum Kernel {
        /** Host-memory {@code memcpy} kernels on the CPU backend with contiguous frames, strided views elsewhere (the default). */
        HOST,
        /** ND4J assigns of strided views only (any backend, any strides). */
        VIEWS,
        /** The definition, one scalar at a time: for tests and debugging, far too slow for networks. */
        REFERENCE,
        /**
         * oneDNN reorders of strided clip views ({@link OneDnnShift}) on oneDNN's OpenMP threads, for float32 host
         * arrays where oneDNN's natives load ({@code org.bytedeco:dnnl}); {@code HOST} otherwise (one warning when
         * the natives are missing); the inference executor's in-place shift also runs on oneDNN's threads with it
         * ({@link InPlaceShift}). The {@code tsm} CLI's default.
         */
        ONEDNN
    }

    /** The default kernel: {@link Kernel#HOST}. */
    public static final Kernel DEFAULT_KERNEL = Kernel.HOST;
    /**
     * The default thread count of the host kernels: 1, the calling thread. Inside a network the shift runs between
     * oneDNN's OpenMP regions, whose worker threads keep spinning on the other cores for a while; a pool thread
     * there competes with them (measured on the 2-vCPU VM, TSM-ResNet-50 1×8: the [8, 56, 56, 256] shift took
     * 3.9 ms on two threads against 2.8–3.1 ms on the calling thread). A standalone shift on an otherwise idle
     * machine is faster with more: pass {@code threads} = 0 (ND4J's count) or n.
     */
    public static final int DEFAULT_THREADS = 1;

    /**
     * Shifts {@code in} into {@code out} (forward pass).
     *
     * @param in input {@code [N·T, C, H, W]} (NCHW) or {@code [N·T, H, W, C]} (NHWC)
     * @param out output of the same shape, overwritten entirely; must not overlap {@code in}
     * @param segments frames per clip T, at least 1
     * @param foldDiv channel fraction divisor, at least 2; {@code fold = C / foldDiv} (0: nothing moves)
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
     * @param threads threads of the host kernels: 1 = calling thread, n &gt; 1 = up to n, 0 = ND4J's count
     */
    public static void forward(INDArray in, INDArray out, int segments, int foldDiv,
            ShiftDirection direction, CNN2DFormat format, Kernel kernel, int threads) {
        validate(in, out, segments, foldDiv, format);
        checkKernel(kernel, threads);
        run(ShiftPlan.of(direction, false, channels(in, format), foldDiv, segments), in, out, format, kernel, threads);
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
     * @param threads threads of the host kernels: 1 = calling thread, n &gt; 1 = up to n, 0 = ND4J's count
     */
    public static void backward(INDArray gradOut, INDArray gradIn, int segments, int foldDiv,
            ShiftDirection direction, CNN2DFormat format, Kernel kernel, int threads) {
        validate(gradOut, gradIn, segments, foldDiv, format);
        checkKernel(kernel, threads);
        run(ShiftPlan.of(direction, true, channels(gradOut, format), foldDiv, segments), gradOut, gradIn, format,
                kernel, threads);
    }

    /** Picks the kernel that executes the plan (see the class comment). */
    private static void run(ShiftPlan plan, INDArray src, INDArray dst, CNN2DFormat format, Kernel kernel,
            int threads) {
        int n = threads == 0 ? Math.max(1, Nd4j.getEnvironment().maxThreads()) : threads;
        ShiftKernel k = switch (kernel) {
            case REFERENCE -> ReferenceShiftKernel.INSTANCE;
            case VIEWS -> StridedViewShiftKernel.INSTANCE;
            case HOST -> host(src, dst, format);
            case ONEDNN -> OneDnnShift.supports(src, dst) ? OneDnnShiftKernel.INSTANCE : withoutOneDnn(src, dst, format);
        };
        k.run(plan, src, dst, format, n);
    }

    private static ShiftKernel host(INDArray src, INDArray dst, CNN2DFormat format) {
        return hostApplies(src, dst)
                ? (format == CNN2DFormat.NCHW ? NchwBlockShiftKernel.INSTANCE : NhwcPixelShiftKernel.INSTANCE)
                : StridedViewShiftKernel.INSTANCE;
    }

    /**
     * {@code ONEDNN} for arrays it does not take (not float32, or not host arrays): the host kernels; float32 arrays
     * where oneDNN's natives do not load also get one warning.
     */
    private static ShiftKernel withoutOneDnn(INDArray src, INDArray dst, CNN2DFormat format) {
        if (src.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            io.github.tsm4j.core.conv.OneDnn.availableFor("shift kernel", "TemporalShift");
        }
        return host(src, dst, format);
    }

    /** Both arrays in host memory, same data type, each frame contiguous, frames in increasing memory order. */
    private static boolean hostApplies(INDArray src, INDArray dst) {
        return HostMemory.hostArray(src) && HostMemory.hostArray(dst) && src.dataType() == dst.dataType()
                && frameContiguous(src) && frameContiguous(dst);
    }

    private static boolean frameContiguous(INDArray a) {
        long[] st = a.stride();
        return st[0] > 0 && st[3] == 1 && st[2] == a.size(3) && st[1] == a.size(2) * a.size(3);
    }

    private static void checkKernel(Kernel kernel, int threads) {
        if (kernel == null) {
            throw new IllegalArgumentException("TemporalShift: kernel is null, expected HOST, VIEWS, REFERENCE or ONEDNN");
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
     * @return fold = C / foldDiv (0 when C &lt; foldDiv: nothing moves, the shift is a copy)
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
}
