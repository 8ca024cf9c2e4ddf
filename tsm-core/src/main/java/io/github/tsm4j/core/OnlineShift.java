package io.github.tsm4j.core;

import io.github.tsm4j.core.exec.BoundOp;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Streaming state of ONE shifted layer for online (frame-by-frame) TSM (Lin, Gan, Han, ICCV 2019,
 * Section 4.2 "online models"): the first {@code fold = C / foldDiv} channels of each frame are
 * replaced by those of the previous frame of the same stream (zeros for the first frame), and the
 * current frame's first {@code fold} channels are cached for the next call.
 *
 * <p>Feeding a clip frame by frame gives exactly {@link ShiftDirection#UNIDIRECTIONAL}
 * {@link TemporalShift#forward} of the whole clip; the channel blocks are the same as
 * {@link TemporalShift#channelBlock}'s and {@code fold} is {@link TemporalShift#fold}.
 *
 * <p>Frames are {@code [B, C, H, W]} (NCHW) or {@code [B, H, W, C]} (NHWC): one frame of each of B
 * independent streams (cameras, videos). The cache ({@code [B, fold, H, W]}, plus a scratch block of the
 * same shape used only when {@code out} is the input array itself) is allocated once, outside any
 * workspace, and lives as long as this object; it is never swapped, so {@link #bind} can bind it.
 *
 * <p>Per frame (out-of-place, contiguous arrays): out ← frame (one contiguous copy), out's channels
 * {@code [0, fold)} ← cache, cache ← frame's {@code [0, fold)}; the two block copies run on 2D views (one
 * contiguous run per pixel in NHWC, per stream in NCHW), which libnd4j copies far faster than rank-4 channel
 * views. {@link #bind} prepares the same three copies once for fixed arrays, so that a streaming executor runs
 * them without allocating.
 * Not thread-safe: one caller per instance.
 */
public final class OnlineShift {

    private final int streams;
    private final int channels;
    private final int foldDiv;
    private final int fold;
    private final int height;
    private final int width;
    private final CNN2DFormat format;
    private final DataType dataType;
    /** The previous frame's first fold channels, {@code [B, fold, H, W]} or {@code [B, H, W, fold]}. */
    private final INDArray previous;
    /** Scratch of the same shape, for in-place calls: holds the frame's block while the cache is written. */
    private final INDArray scratch;

    /**
     * State for {@code streams} streams in the default floating-point type of ND4J.
     *
     * @param streams B, number of independent streams, at least 1
     * @param channels C of the shifted activation
     * @param foldDiv divisor, at least 2, at most C
     * @param height H
     * @param width W
     * @param format layout of the frames
     */
    public OnlineShift(int streams, int channels, int foldDiv, int height, int width, CNN2DFormat format) {
        this(streams, channels, foldDiv, height, width, format, Nd4j.defaultFloatingPointType());
    }

    /**
     * State for {@code streams} streams in the given data type.
     *
     * @param streams B, number of independent streams, at least 1
     * @param channels C of the shifted activation
     * @param foldDiv divisor, at least 2, at most C
     * @param height H
     * @param width W
     * @param format layout of the frames
     * @param dataType data type of the frames
     */
    public OnlineShift(int streams, int channels, int foldDiv, int height, int width, CNN2DFormat format,
            DataType dataType) {
        if (streams < 1) {
            throw new IllegalArgumentException("OnlineShift: streams must be >= 1, found " + streams);
        }
        if (foldDiv < 2) {
            throw new IllegalArgumentException("OnlineShift: foldDiv must be >= 2, found " + foldDiv);
        }
        if (channels < foldDiv) {
            throw new IllegalArgumentException("OnlineShift: channels C = " + channels + " < foldDiv = " + foldDiv
                    + " (fold would be 0 and nothing would shift)");
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("OnlineShift: height and width must be >= 1, found "
                    + height + "x" + width);
        }
        if (format == null || dataType == null) {
            throw new IllegalArgumentException("OnlineShift: format and dataType must not be null");
        }
        this.streams = streams;
        this.channels = channels;
        this.foldDiv = foldDiv;
        this.fold = TemporalShift.fold(channels, foldDiv);
        this.height = height;
        this.width = width;
        this.format = format;
        this.dataType = dataType;
        long[] cacheShape = shape(fold);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            previous = Nd4j.zeros(dataType, cacheShape);
            scratch = Nd4j.zeros(dataType, cacheShape);
        }
    }

    /**
     * Shifts one frame per stream: {@code out} = {@code frame} with channels {@code [0, fold)} replaced
     * by the cached ones of the previous frame (zeros after construction or reset); then the cache
     * takes {@code frame}'s channels {@code [0, fold)}.
     *
     * @param frame {@code [B, C, H, W]} (NCHW) or {@code [B, H, W, C]} (NHWC)
     * @param out array of the same shape, overwritten; may be {@code frame} itself
     * @throws IllegalArgumentException if a shape or the data type differs from this state's
     */
    public void apply(INDArray frame, INDArray out) {
        long[] expected = shape(channels);
        check("frame", frame, expected);
        check("out", out, expected);
        if (out != frame && contiguous(frame) && contiguous(out)) {
            // whole frame in one contiguous copy, then the fold blocks as 2D views (see bind)
            out.assign(frame);
            rows(out).get(NDArrayIndex.all(), NDArrayIndex.interval(0, run(fold))).assign(rows(previous));
            rows(previous).assign(rows(frame).get(NDArrayIndex.all(), NDArrayIndex.interval(0, run(fold))));
            return;
        }
        INDArray frameBlock = TemporalShift.channelBlock(frame, format, 0, fold);
        INDArray outBlock = TemporalShift.channelBlock(out, format, 0, fold);
        if (out == frame) {
            scratch.assign(frameBlock);
            outBlock.assign(previous);
            previous.assign(scratch);
        } else {
            TemporalShift.channelBlock(out, format, fold, channels)
                    .assign(TemporalShift.channelBlock(frame, format, fold, channels));
            outBlock.assign(previous);
            previous.assign(frameBlock);
        }
    }

    /**
     * Prepares {@link #apply}{@code (frame, out)} for arrays that stay the same from frame to frame (a streaming
     * executor's preallocated activations): the three copies become {@link BoundOp}s, and
     * {@link Bound#run()} allocates nothing. The caller writes each new frame into {@code frame} before running.
     *
     * @param frame {@code [B, C, H, W]} (NCHW) or {@code [B, H, W, C]} (NHWC), read by every run
     * @param out array of the same shape, a different array, overwritten by every run
     * @return the bound shift; it shares this state (cache, {@link #reset}) with {@link #apply}
     * @throws IllegalArgumentException if a shape or the data type differs from this state's, or
     *     {@code out == frame}
     */
    public Bound bind(INDArray frame, INDArray out) {
        long[] expected = shape(channels);
        check("frame", frame, expected);
        check("out", out, expected);
        if (out == frame) {
            throw new IllegalArgumentException("OnlineShift.bind: out must be a different array from frame");
        }
        BoundOp rest;
        BoundOp fromCache;
        BoundOp toCache;
        if (contiguous(frame) && contiguous(out)) {
            // one contiguous copy of the whole frame, then the two fold blocks as 2D views ([rows, run] with one
            // contiguous run per row): libnd4j copies these an order of magnitude faster than rank-4 views
            rest = BoundOp.builder("assign").inputs(out, frame).outputs(out).build();
            INDArray outBlock = rows(out).get(NDArrayIndex.all(), NDArrayIndex.interval(0, run(fold)));
            INDArray cache = rows(previous);
            fromCache = BoundOp.builder("assign").inputs(outBlock, cache).outputs(outBlock).build();
            INDArray frameBlock = rows(frame).get(NDArrayIndex.all(), NDArrayIndex.interval(0, run(fold)));
            toCache = BoundOp.builder("assign").inputs(cache, frameBlock).outputs(cache).build();
        } else {
            INDArray outRest = TemporalShift.channelBlock(out, format, fold, channels);
            rest = BoundOp.builder("assign").inputs(outRest, TemporalShift.channelBlock(frame, format, fold, channels))
                    .outputs(outRest).build();
            INDArray outBlock = TemporalShift.channelBlock(out, format, 0, fold);
            fromCache = BoundOp.builder("assign").inputs(outBlock, previous).outputs(outBlock).build();
            toCache = BoundOp.builder("assign")
                    .inputs(previous, TemporalShift.channelBlock(frame, format, 0, fold)).outputs(previous).build();
        }
        return new Bound(rest, fromCache, toCache);
    }

    /**
     * {@link OnlineShift#apply} bound to fixed arrays ({@link #bind}): {@link #run()} shifts the bound frame into
     * the bound output and updates the shared cache. Not thread-safe; close it to free the native contexts.
     */
    public static final class Bound implements AutoCloseable {
        private final BoundOp rest;
        private final BoundOp fromCache;
        private final BoundOp toCache;

        private Bound(BoundOp rest, BoundOp fromCache, BoundOp toCache) {
            this.rest = rest;
            this.fromCache = fromCache;
            this.toCache = toCache;
        }

        /** One time step: out = frame with channels {@code [0, fold)} from the cache; cache = frame's block. */
        public void run() {
            rest.run();
            fromCache.run();
            toCache.run();
        }

        @Override
        public void close() {
            rest.close();
            fromCache.close();
            toCache.close();
        }
    }

    /** Whether {@code a} has c-order default strides (so that {@link #rows} is a view, not a copy). */
    private static boolean contiguous(INDArray a) {
        return a.ordering() == 'c' && Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c'));
    }

    /**
     * A contiguous frame batch as rows whose first {@link #run}{@code (k)} elements are channels {@code [0, k)}:
     * NHWC {@code [B·H·W, C]} (one row per pixel), NCHW {@code [B, C·H·W]} (one row per stream).
     */
    private INDArray rows(INDArray a) {
        long c = a.length() / ((long) streams * height * width);
        return switch (format) {
            case NCHW -> a.reshape('c', streams, c * height * width);
            case NHWC -> a.reshape('c', (long) streams * height * width, c);
        };
    }

    /** Row elements holding {@code k} channels in {@link #rows}. */
    private long run(long k) {
        return switch (format) {
            case NCHW -> k * height * width;
            case NHWC -> k;
        };
    }

    /** Forgets every stream: the next frame of each sees zeros as its predecessor. */
    public void reset() {
        previous.assign(0);
    }

    /**
     * Forgets one stream (a new video starts there); the others keep their state.
     *
     * @param stream index in {@code [0, B)}
     */
    public void reset(int stream) {
        if (stream < 0 || stream >= streams) {
            throw new IllegalArgumentException("OnlineShift: stream must be in [0, " + streams + "), found " + stream);
        }
        previous.get(NDArrayIndex.point(stream)).assign(0);
    }

    /** @return B, the number of streams */
    public int streams() {
        return streams;
    }

    /** @return C, the channels of the shifted activation */
    public int channels() {
        return channels;
    }

    /** @return the divisor */
    public int foldDiv() {
        return foldDiv;
    }

    /** @return the channels taken from the previous frame, {@code C / foldDiv} */
    public int fold() {
        return fold;
    }

    /** @return H */
    public int height() {
        return height;
    }

    /** @return W */
    public int width() {
        return width;
    }

    /** @return the frame layout */
    public CNN2DFormat format() {
        return format;
    }

    /** @return the frames' data type */
    public DataType dataType() {
        return dataType;
    }

    /**
     * The frame shape this state expects.
     *
     * @return {@code [B, C, H, W]} or {@code [B, H, W, C]}
     */
    public long[] frameShape() {
        return shape(channels);
    }

    private long[] shape(long c) {
        return switch (format) {
            case NCHW -> new long[] {streams, c, height, width};
            case NHWC -> new long[] {streams, height, width, c};
        };
    }

    private void check(String what, INDArray a, long[] expected) {
        if (a == null) {
            throw new IllegalArgumentException("OnlineShift: " + what + " is null");
        }
        if (!Arrays.equals(a.shape(), expected)) {
            throw new IllegalArgumentException("OnlineShift: " + what + " shape " + Arrays.toString(a.shape())
                    + " differs from the state's " + Arrays.toString(expected) + " " + layout());
        }
        if (a.dataType() != dataType) {
            throw new IllegalArgumentException("OnlineShift: " + what + " data type " + a.dataType()
                    + " differs from the state's " + dataType);
        }
    }

    private String layout() {
        return switch (format) {
            case NCHW -> "[B, C, H, W] (NCHW)";
            case NHWC -> "[B, H, W, C] (NHWC)";
        };
    }
}
