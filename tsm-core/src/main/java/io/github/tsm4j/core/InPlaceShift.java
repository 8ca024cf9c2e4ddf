package io.github.tsm4j.core;

import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The temporal shift done in place on a block input that is needed unshifted again afterwards (the residual
 * branch of a TSM block): {@link #apply()} turns {@code x} into {@code shift(x)} — exactly what
 * {@link TemporalShift#forward} writes into a separate array — and {@link #undo()} turns it back into {@code x},
 * bit for bit. Between the two, the convolution that consumes the shift reads {@code x} itself.
 *
 * <p>Why: an out-of-place shift reads and writes the whole activation (the 16 shifts of TSM-ResNet-50 move ~400 MB
 * per 8-frame clip at 224 px). In place only the moved channel blocks are touched — {@code 2·C/foldDiv} of C
 * channels (a quarter with the paper's fold) — once to shift and once to shift back, half the traffic, and no
 * second activation buffer (the data stay in the caches the previous layer left them in).
 *
 * <p>How, for each clip and each {@link ShiftPlan.Move} with {@code step ≠ 0}: the frames the move overwrites
 * without reading ({@code |step|} frames at one end of the clip) are first saved in a small side buffer
 * ({@code N · Σ|step| · H · W · width} elements); then the frames are copied in the order that reads each source
 * before it is overwritten (ascending t for {@code step > 0}, descending for {@code step < 0}), and the other end
 * is zeroed. {@link #undo()} copies back the other way and restores the saved frames. Blocks with {@code step = 0}
 * are not touched.
 *
 * <p>Layouts: {@code [N·T, C, H, W]} (NCHW: each block of a frame is one contiguous run) or {@code [N·T, H, W, C]}
 * (NHWC: H·W runs of {@code width · dataType.width()} bytes per block and frame). Needs the CPU backend and a
 * contiguous c-order array ({@link #supports}). Not thread-safe (one caller at a time); the work itself runs on
 * the calling thread or is split over pixel ranges ({@code threads}).
 *
 * <p>Two engines, chosen by the {@link TemporalShift.Kernel} passed to {@link #of(INDArray, int, int,
 * ShiftDirection, CNN2DFormat, TemporalShift.Kernel, int)}: the host engine above (every kernel but {@code ONEDNN},
 * and {@code ONEDNN} where oneDNN does not take the array), and for {@code ONEDNN} on float32 arrays oneDNN reorders
 * on its OpenMP threads through a side buffer of the moved channels ({@link OneDnnInPlaceShift}: one more pass over
 * them, but on every thread the convolutions use). Both are bit-identical to {@link TemporalShift#forward}.
 */
public final class InPlaceShift implements AutoCloseable {

    private final ShiftPlan plan;
    private final INDArray x;
    private final INDArray saved;
    private final boolean nhwc;
    private final long clips;
    private final long pixels;
    private final long elementBytes;
    private final long frameBytes;
    private final List<ShiftPlan.Move> moving;
    private final int threads;
    private final long minPartBytes;
    /** The oneDNN engine, or null for the host engine. */
    private final OneDnnInPlaceShift oneDnn;

    private InPlaceShift(INDArray x, ShiftPlan plan, CNN2DFormat format, int threads, long minPartBytes,
            boolean useOneDnn, ShiftSideBuffer shared) {
        this.oneDnn = useOneDnn ? OneDnnInPlaceShift.bind(x, plan, format, shared) : null;
        this.threads = threads == 0 ? Math.max(1, Nd4j.getEnvironment().maxThreads()) : threads;
        this.minPartBytes = minPartBytes;
        this.x = x;
        this.plan = plan;
        this.nhwc = format == CNN2DFormat.NHWC;
        this.elementBytes = x.dataType().width();
        this.clips = x.size(0) / plan.segments();
        this.pixels = nhwc ? x.size(1) * x.size(2) : x.size(2) * x.size(3);
        this.frameBytes = plan.channels() * pixels * elementBytes;
        this.moving = plan.moves().stream().filter(m -> m.step() != 0).toList();
        long savedElements = 0;
        if (oneDnn == null) { // the oneDNN engine keeps its own side buffer
            for (ShiftPlan.Move m : moving) {
                savedElements += clips * lost(m) * m.width() * pixels;
            }
        }
        this.saved = savedElements == 0 ? null : Nd4j.createUninitializedDetached(x.dataType(), savedElements);
    }

    /**
     * Whether {@link #of} can bind this array: CPU backend, c-order, contiguous, rank 4.
     *
     * @param x the block input
     * @return true if the in-place shift can run on it
     */
    public static boolean supports(INDArray x) {
        return HostMemory.hostArray(x) && x.rank() == 4 && x.ordering() == 'c'
                && Arrays.equals(x.stride(), Nd4j.getStrides(x.shape(), 'c'));
    }

    /**
     * Binds the in-place shift to one array (the side buffer is allocated here, once).
     *
     * @param x {@code [N·T, C, H, W]} or {@code [N·T, H, W, C]}, see {@link #supports}
     * @param segments frames per clip T
     * @param foldDiv fold divisor
     * @param direction which channels move which way
     * @param format x's layout
     * @return the bound shift
     * @throws IllegalArgumentException naming the problem if x is not supported or its shape does not fit
     */
    public static InPlaceShift of(INDArray x, int segments, int foldDiv, ShiftDirection direction,
            CNN2DFormat format) {
        return of(x, segments, foldDiv, direction, format, 1);
    }

    /**
     * As {@link #of(INDArray, int, int, ShiftDirection, CNN2DFormat)} on several threads: the pixels of every
     * frame are split into ranges (each thread moving at least 256 KiB), which are independent of each other.
     *
     * @param threads 1 = the calling thread, n &gt; 1 = up to n, 0 = ND4J's thread count
     * @return the bound shift
     */
    public static InPlaceShift of(INDArray x, int segments, int foldDiv, ShiftDirection direction,
            CNN2DFormat format, int threads) {
        return of(x, segments, foldDiv, direction, format, TemporalShift.Kernel.HOST, threads,
                HostMemory.PARALLEL_MIN_BYTES, null);
    }

    /**
     * As {@link #of(INDArray, int, int, ShiftDirection, CNN2DFormat, int)} with the engine chosen by a kernel:
     * {@link TemporalShift.Kernel#ONEDNN} runs oneDNN reorders on its OpenMP threads where oneDNN takes the float32
     * array (one warning where its natives do not load), every other kernel and every other array the host engine.
     *
     * @param kernel the shift kernel of the layer ({@code ExecutionOptions.shiftKernel})
     * @param threads threads of the host engine (1 = the calling thread, 0 = ND4J's count); oneDNN uses its own
     * @return the bound shift
     */
    public static InPlaceShift of(INDArray x, int segments, int foldDiv, ShiftDirection direction,
            CNN2DFormat format, TemporalShift.Kernel kernel, int threads) {
        return of(x, segments, foldDiv, direction, format, kernel, threads, null);
    }

    /**
     * As {@link #of(INDArray, int, int, ShiftDirection, CNN2DFormat, TemporalShift.Kernel, int)} with the oneDNN
     * engine's side buffer shared with other shifts that are used one at a time ({@link ShiftSideBuffer}).
     *
     * @param shared the side buffer to share, or null for one of its own (the host engine keeps its own)
     * @return the bound shift
     */
    public static InPlaceShift of(INDArray x, int segments, int foldDiv, ShiftDirection direction,
            CNN2DFormat format, TemporalShift.Kernel kernel, int threads, ShiftSideBuffer shared) {
        return of(x, segments, foldDiv, direction, format, kernel, threads, HostMemory.PARALLEL_MIN_BYTES, shared);
    }

    /** With the smallest part each thread moves (tests split small arrays). */
    static InPlaceShift of(INDArray x, int segments, int foldDiv, ShiftDirection direction, CNN2DFormat format,
            int threads, long minPartBytes) {
        return of(x, segments, foldDiv, direction, format, TemporalShift.Kernel.HOST, threads, minPartBytes, null);
    }

    private static InPlaceShift of(INDArray x, int segments, int foldDiv, ShiftDirection direction,
            CNN2DFormat format, TemporalShift.Kernel kernel, int threads, long minPartBytes, ShiftSideBuffer shared) {
        java.util.Objects.requireNonNull(kernel, "InPlaceShift: kernel must be one of HOST, VIEWS, REFERENCE, ONEDNN");
        if (threads < 0) {
            throw new IllegalArgumentException("InPlaceShift: threads must be >= 0 (1 = calling thread, 0 = ND4J's "
                    + "thread count), found " + threads);
        }
        TemporalShift.validate(x, null, segments, foldDiv, format);
        if (!supports(x)) {
            throw new IllegalArgumentException("InPlaceShift needs a contiguous c-order rank-4 array in host memory "
                    + "(CPU backend), found shape " + Arrays.toString(x.shape()) + ", strides "
                    + Arrays.toString(x.stride()) + ", order " + x.ordering());
        }
        boolean useOneDnn = kernel == TemporalShift.Kernel.ONEDNN && x.dataType() == DataType.FLOAT
                && io.github.tsm4j.core.conv.OneDnn.availableFor("shift kernel", "InPlaceShift");
        return new InPlaceShift(x, ShiftPlan.of(direction, false, TemporalShift.channels(x, format), foldDiv,
                segments), format, threads, minPartBytes, useOneDnn, shared);
    }

    /** @return true when oneDNN reorders run this shift (kernel {@code ONEDNN}), false for the host engine */
    public boolean onOneDnn() {
        return oneDnn != null;
    }

    /** @return the plan this shift executes */
    public ShiftPlan plan() {
        return plan;
    }

    /**
     * @return elements of the side buffer: the overwritten frames (host engine) or every frame's moved channels
     *     (oneDNN engine); 0 when nothing moves
     */
    public long savedElements() {
        return oneDnn != null ? oneDnn.sideElements() : saved == null ? 0 : saved.length();
    }

    /**
     * {@code x ← shift(x)}, saving the frames the shift overwrites unread. x must hold unshifted data: call
     * {@link #undo()} before the next {@code apply()} unless x has been rewritten in between (as the inference
     * executor does where nothing reads the block input after the shift's reader).
     */
    public void apply() {
        if (oneDnn != null) {
            oneDnn.apply();
        } else {
            run(true);
        }
    }

    /** {@code x ← x} as it was before the last {@link #apply()}: the inverse moves and the saved frames put back. */
    public void undo() {
        if (oneDnn != null) {
            oneDnn.undo();
        } else {
            run(false);
        }
    }

    /** Frees the side buffer and, for the oneDNN engine, its reorders. */
    @Override
    public void close() {
        if (oneDnn != null) {
            oneDnn.close();
        }
        if (saved != null && saved.closeable()) {
            saved.close();
        }
    }

    /** Frames of a clip that a move overwrites without reading: {@code min(|step|, T)}. */
    private long lost(ShiftPlan.Move m) {
        return Math.min(Math.abs(m.step()), plan.segments());
    }

    private void run(boolean forward) {
        long moved = 0;
        for (ShiftPlan.Move m : moving) {
            moved += m.width();
        }
        long bytes = 2 * clips * plan.segments() * moved * pixels * elementBytes;
        HostMemory.split(pixels, bytes, threads, minPartBytes, (p0, p1) -> run(forward, p0, p1));
    }

    /** The moves for the pixels {@code [p0, p1)} of every frame (ranges are independent of each other). */
    private void run(boolean forward, long p0, long p1) {
        long base = HostMemory.address(x);
        long savedAddress = saved == null ? 0 : HostMemory.address(saved);
        int t = plan.segments();
        for (long n = 0; n < clips; n++) {
            long clip = base + n * t * frameBytes;
            for (ShiftPlan.Move m : moving) {
                long lost = lost(m);
                long blockBytes = m.width() * pixels * elementBytes;
                long slot = savedAddress;
                savedAddress += lost * blockBytes;
                int s = m.step();
                // frames [0, lost) for s > 0, [T - lost, T) for s < 0: overwritten by the shift without being read
                long edge = s > 0 ? 0 : t - lost;
                if (forward) {
                    for (long i = 0; i < lost; i++) {
                        saved(clip, edge + i, m, slot + i * blockBytes, true, p0, p1);
                    }
                    if (s > 0) {
                        for (long f = 0; f + s < t; f++) {
                            block(clip, f + s, f, m, p0, p1);
                        }
                        for (long f = Math.max(0, t - s); f < t; f++) {
                            block(clip, -1, f, m, p0, p1);
                        }
                    } else {
                        for (long f = t - 1; f + s >= 0; f--) {
                            block(clip, f + s, f, m, p0, p1);
                        }
                        for (long f = 0; f < Math.min(t, -s); f++) {
                            block(clip, -1, f, m, p0, p1);
                        }
                    }
                } else {
                    if (s > 0) {
                        for (long f = t - 1; f - s >= 0; f--) {
                            block(clip, f - s, f, m, p0, p1);
                        }
                    } else {
                        for (long f = 0; f - s < t; f++) {
                            block(clip, f - s, f, m, p0, p1);
                        }
                    }
                    for (long i = 0; i < lost; i++) {
                        saved(clip, edge + i, m, slot + i * blockBytes, false, p0, p1);
                    }
                }
            }
        }
    }

    /**
     * Channels [from, to) of the pixels {@code [p0, p1)} of frame {@code fromFrame} of a clip → the same channels
     * and pixels of frame {@code toFrame}; zeros for {@code fromFrame = −1}. NCHW: one run per channel (one run for
     * the whole block when the range covers every pixel); NHWC: one short run per pixel.
     */
    private void block(long clip, long fromFrame, long toFrame, ShiftPlan.Move m, long p0, long p1) {
        long src = clip + fromFrame * frameBytes;
        long dst = clip + toFrame * frameBytes;
        if (!nhwc) {
            long plane = pixels * elementBytes;
            if (p0 == 0 && p1 == pixels) {
                long off = m.from() * plane;
                runOrZero(fromFrame < 0 ? 0 : src + off, dst + off, m.width() * plane, false);
                return;
            }
            for (long c = m.from(); c < m.to(); c++) {
                long off = c * plane + p0 * elementBytes;
                runOrZero(fromFrame < 0 ? 0 : src + off, dst + off, (p1 - p0) * elementBytes, false);
            }
            return;
        }
        long pixelBytes = plan.channels() * elementBytes;
        long off = m.from() * elementBytes;
        long run = m.width() * elementBytes;
        for (long p = p0; p < p1; p++) {
            long o = p * pixelBytes + off;
            runOrZero(fromFrame < 0 ? 0 : src + o, dst + o, run, true);
        }
    }

    /**
     * One frame's block (pixels {@code [p0, p1)}) ↔ its slot in the side buffer, laid out compactly as
     * {@code [width, H·W]} (NCHW) or {@code [H·W, width]} (NHWC).
     *
     * @param save true: frame → slot; false: slot → frame
     */
    private void saved(long clip, long frame, ShiftPlan.Move m, long slot, boolean save, long p0, long p1) {
        long f = clip + frame * frameBytes;
        if (!nhwc) {
            long plane = pixels * elementBytes;
            for (long c = m.from(); c < m.to(); c++) {
                long a = f + c * plane + p0 * elementBytes;
                long b = slot + (c - m.from()) * plane + p0 * elementBytes;
                long len = (p1 - p0) * elementBytes;
                HostMemory.copy(save ? a : b, save ? b : a, len);
            }
            return;
        }
        long pixelBytes = plan.channels() * elementBytes;
        long off = m.from() * elementBytes;
        long run = m.width() * elementBytes;
        for (long p = p0; p < p1; p++) {
            long a = f + p * pixelBytes + off;
            long b = slot + p * run;
            HostMemory.copyRun(save ? a : b, save ? b : a, run);
        }
    }

    /** Copies {@code bytes} from {@code src} to {@code dst}, or zeroes them for {@code src = 0}. */
    private static void runOrZero(long src, long dst, long bytes, boolean shortRun) {
        if (src == 0) {
            if (shortRun) {
                HostMemory.zeroRun(dst, bytes);
            } else {
                HostMemory.zero(dst, bytes);
            }
        } else if (shortRun) {
            HostMemory.copyRun(src, dst, bytes);
        } else {
            HostMemory.copy(src, dst, bytes);
        }
    }
}
