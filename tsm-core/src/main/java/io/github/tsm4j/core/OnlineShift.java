package io.github.tsm4j.core;

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
 * independent streams (cameras, videos). The cache ({@code 2 × [B, fold, H, W]}, double-buffered so
 * that {@code out} may be the input array itself) is allocated once, outside any workspace, and lives
 * as long as this object. Not thread-safe: one caller per instance.
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
    private INDArray previous;
    /** Scratch of the same shape: receives the current frame's block before it becomes previous. */
    private INDArray current;

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
            current = Nd4j.zeros(dataType, cacheShape);
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
        current.assign(TemporalShift.channelBlock(frame, format, 0, fold));
        if (out != frame) {
            TemporalShift.channelBlock(out, format, fold, channels)
                    .assign(TemporalShift.channelBlock(frame, format, fold, channels));
        }
        TemporalShift.channelBlock(out, format, 0, fold).assign(previous);
        INDArray swap = previous;
        previous = current;
        current = swap;
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
