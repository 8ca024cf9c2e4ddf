package io.github.tsm4j.models.onnx;

import static io.github.tsm4j.models.onnx.OnnxGraphBuilder.attr;

import io.github.tsm4j.core.ShiftDirection;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the offline temporal shift and the temporal pooling of an activation {@code x [N·T, C, H, W]} as
 * standard ONNX operators (see {@link OnnxShiftForm}). N·T, H and W stay dynamic: the clip view
 * {@code [N, T, C, H, W]} is a {@code Reshape} to {@code [-1, T] ++ Shape(x)[1:]}, and the result is reshaped to
 * {@code Shape(x)} again (reshapes move no data in ONNX Runtime).
 */
final class ShiftWriter {

    private final OnnxGraphBuilder onnx;
    private final OnnxExportOptions options;
    private final String networkInput;
    private final long inputSegments;
    /** {@code [N, 1, 1, 1]} as int64, N = clips per call, computed once from the network input's shape. */
    private String tileClips;
    private final java.util.Map<String, String> masks = new java.util.HashMap<>();

    ShiftWriter(OnnxGraphBuilder onnx, OnnxExportOptions options, String networkInput, long inputSegments) {
        this.onnx = onnx;
        this.options = options;
        this.networkInput = networkInput;
        this.inputSegments = inputSegments;
    }

    /** {@code Shape(x)} and {@code x} viewed as clips {@code [N, T, C, H, W]}. */
    private String[] clips(String name, String x, long segments) {
        String shape = onnx.node("Shape", onnx.fresh(name + ".shape"), List.of(x));
        String chw = onnx.node("Slice", onnx.fresh(name + ".chw"), List.of(shape, onnx.int64(1), onnx.int64(4),
                onnx.int64(0)));
        String clipShape = onnx.node("Concat", onnx.fresh(name + ".clipshape"),
                List.of(onnx.int64(-1, segments), chw), attr("axis", 0L));
        return new String[] {shape, onnx.node("Reshape", onnx.fresh(name + ".clips"), List.of(x, clipShape)), chw};
    }

    /**
     * The shift of {@code x}.
     *
     * @return the tensor named {@code name} holding the shifted activation
     */
    String offline(String name, String x, long segments, long channels, int foldDiv, ShiftDirection direction) {
        long fold = channels / foldDiv;
        if (segments == 1) {
            // every moved channel comes from outside the clip: zeros
            float[] mask = new float[(int) channels];
            long moved = direction == ShiftDirection.BIDIRECTIONAL ? 2 * fold : fold;
            for (int c = 0; c < channels; c++) {
                mask[c] = c < moved ? 0f : 1f;
            }
            return onnx.node("Mul", name, List.of(x, onnx.floatConstant(name + ".mask", mask, 1, channels, 1, 1)));
        }
        if (options.shiftForm() == OnnxShiftForm.FRAME_SLICE || options.shiftForm() == OnnxShiftForm.SPLIT_CHANNELS) {
            return frameSlice(name, x, segments, channels, fold, direction);
        }
        String[] view = clips(name, x, segments);
        String shape = view[0];
        String x5 = view[1];
        String y5 = switch (options.shiftForm()) {
            case SLICE_CONCAT -> sliceConcat(name, x5, segments, channels, fold, direction);
            case GATHER -> gather(name, x5, segments, channels, fold, direction, view[2]);
            case FRAME_SLICE, SPLIT_CHANNELS -> throw new IllegalStateException("unreachable");
        };
        return onnx.node("Reshape", name, List.of(y5, shape));
    }

    /**
     * The clip-boundary mask {@code [N·T, 1, 1, 1]}: 1 where frame t has a neighbour t+1 ({@code next}) or t-1 in
     * its clip, 0 elsewhere; one per (T, side), tiled from a constant {@code [T, 1, 1, 1]} N times.
     */
    private String mask(long segments, boolean next) {
        String key = segments + (next ? "next" : "prev");
        String existing = masks.get(key);
        if (existing != null) {
            return existing;
        }
        float[] m = new float[(int) segments];
        for (int t = 0; t < segments; t++) {
            m[t] = (next ? t < segments - 1 : t > 0) ? 1f : 0f;
        }
        if (options.frames() > 0) {
            // a fixed N·T: the whole mask is a constant, and every shape stays known to shape inference
            long frames = options.frames() * segments / inputSegments;
            float[] full = new float[(int) frames];
            for (int f = 0; f < frames; f++) {
                full[f] = m[(int) (f % segments)];
            }
            String constant = onnx.floatConstant("shift.mask." + key, full, frames, 1, 1, 1);
            masks.put(key, constant);
            return constant;
        }
        if (tileClips == null) {
            String shape = onnx.node("Shape", onnx.fresh("clips.shape"), List.of(networkInput));
            String frames = onnx.node("Slice", onnx.fresh("clips.frames"), List.of(shape, onnx.int64(0),
                    onnx.int64(1), onnx.int64(0)));
            String n = onnx.node("Div", onnx.fresh("clips.n"), List.of(frames, onnx.int64(inputSegments)));
            tileClips = onnx.node("Concat", onnx.fresh("clips.tile"), List.of(n, onnx.int64(1, 1, 1)),
                    attr("axis", 0L));
        }
        String constant = onnx.floatConstant("shift.mask." + key, m, segments, 1, 1, 1);
        String tiled = onnx.node("Tile", onnx.fresh("shift.mask." + key), List.of(constant, tileClips));
        masks.put(key, tiled);
        return tiled;
    }

    /**
     * A whole part {@code x [N·T, k, H, W]} taken from frame t+1 ({@code next}) or t-1, zeros across clip ends:
     * {@code Slice} along N·T, {@code Pad} one zero frame, {@code Mul} by the clip-boundary mask.
     *
     * @return the tensor named {@code name}
     */
    String moved(String name, String x, long segments, boolean next) {
        String s = onnx.node("Slice", onnx.fresh(name + ".slice"), List.of(x, onnx.int64(next ? 1 : 0),
                onnx.int64(next ? Long.MAX_VALUE : -1), onnx.int64(0)));
        long[] pads = new long[8];
        pads[next ? 4 : 0] = 1;
        String padded = onnx.node("Pad", onnx.fresh(name + ".pad"), List.of(s, onnx.int64(pads)));
        return onnx.node("Mul", name, List.of(padded, mask(segments, next)));
    }

    /** Channels {@code [from, to)} of x taken from frame t+1 ({@code next}) or t-1, zeros across clip ends. */
    private String moved(String name, String x, long from, long to, long segments, boolean next) {
        String s = slice(name, x, new long[] {next ? 1 : 0, from}, new long[] {next ? Long.MAX_VALUE : -1, to},
                new long[] {0, 1});
        long[] pads = new long[8];
        pads[next ? 4 : 0] = 1;
        String padded = onnx.node("Pad", onnx.fresh(name + ".pad"), List.of(s, onnx.int64(pads)));
        return onnx.node("Mul", onnx.fresh(name + ".masked"), List.of(padded, mask(segments, next)));
    }

    private String frameSlice(String name, String x, long t, long c, long fold, ShiftDirection direction) {
        List<String> parts = new ArrayList<>();
        switch (direction) {
            case BIDIRECTIONAL -> {
                parts.add(moved(name, x, 0, fold, t, true));
                parts.add(moved(name, x, fold, 2 * fold, t, false));
                parts.add(slice(name, x, new long[] {2 * fold}, new long[] {c}, new long[] {1}));
            }
            case UNIDIRECTIONAL -> {
                parts.add(moved(name, x, 0, fold, t, false));
                parts.add(slice(name, x, new long[] {fold}, new long[] {c}, new long[] {1}));
            }
        }
        return onnx.node("Concat", name, parts, attr("axis", 1L));
    }

    private String slice(String name, String x, long[] starts, long[] ends, long[] axes) {
        return onnx.node("Slice", onnx.fresh(name + ".slice"), List.of(x, onnx.int64(starts), onnx.int64(ends),
                onnx.int64(axes)));
    }

    /** Pads one zero frame before ({@code before}) or after the T axis of a clip view. */
    private String padTime(String name, String x, boolean before) {
        long[] pads = new long[10];
        pads[before ? 1 : 6] = 1;
        return onnx.node("Pad", onnx.fresh(name + ".pad"), List.of(x, onnx.int64(pads)));
    }

    private String sliceConcat(String name, String x5, long t, long c, long fold, ShiftDirection direction) {
        List<String> parts = new ArrayList<>();
        switch (direction) {
            case BIDIRECTIONAL -> {
                // [0, fold) takes frame t+1: frames 1..T-1, then a zero frame
                parts.add(padTime(name, slice(name, x5, new long[] {1, 0}, new long[] {t, fold},
                        new long[] {1, 2}), false));
                // [fold, 2·fold) takes frame t-1: a zero frame, then frames 0..T-2
                parts.add(padTime(name, slice(name, x5, new long[] {0, fold}, new long[] {t - 1, 2 * fold},
                        new long[] {1, 2}), true));
                parts.add(slice(name, x5, new long[] {2 * fold}, new long[] {c}, new long[] {2}));
            }
            case UNIDIRECTIONAL -> {
                // [0, fold) takes frame t-1
                parts.add(padTime(name, slice(name, x5, new long[] {0, 0}, new long[] {t - 1, fold},
                        new long[] {1, 2}), true));
                parts.add(slice(name, x5, new long[] {fold}, new long[] {c}, new long[] {2}));
            }
        }
        return onnx.node("Concat", onnx.fresh(name + ".concat"), parts, attr("axis", 2L));
    }

    private String gather(String name, String x5, long t, long c, long fold, ShiftDirection direction,
            String chw) {
        // a zero frame at each end: padded frame p holds frame p-1
        long[] pads = new long[10];
        pads[1] = 1;
        pads[6] = 1;
        String padded = onnx.node("Pad", onnx.fresh(name + ".pad"), List.of(x5, onnx.int64(pads)));
        String hw = onnx.node("Slice", onnx.fresh(name + ".hw"), List.of(chw, onnx.int64(1), onnx.int64(3),
                onnx.int64(0)));
        String flatShape = onnx.node("Concat", onnx.fresh(name + ".flatshape"),
                List.of(onnx.int64(-1, (t + 2) * c), hw), attr("axis", 0L));
        String flat = onnx.node("Reshape", onnx.fresh(name + ".flat"), List.of(padded, flatShape));
        long[] index = new long[(int) (t * c)];
        for (int f = 0; f < t; f++) {
            for (int ch = 0; ch < c; ch++) {
                int from = f + offset(ch, fold, direction);
                index[(int) (f * c + ch)] = (from + 1) * c + ch;
            }
        }
        String gathered = onnx.node("Gather", onnx.fresh(name + ".gather"), List.of(flat, onnx.int64(index)),
                attr("axis", 1L));
        return gathered; // [N, T·C, H, W]: the caller reshapes it to Shape(x)
    }

    /** Which frame, relative to t, channel {@code ch} comes from. */
    static int offset(long ch, long fold, ShiftDirection direction) {
        return switch (direction) {
            case BIDIRECTIONAL -> ch < fold ? 1 : ch < 2 * fold ? -1 : 0;
            case UNIDIRECTIONAL -> ch < fold ? -1 : 0;
        };
    }

    /**
     * TSM's temporal max pooling over frames 2t'-1, 2t', 2t'+1 of each clip: {@code MaxPool} with kernel (3, 1),
     * stride (2, 1), padding (1, 0) on the view {@code [N, 1, T, C·H·W]}.
     *
     * @return the tensor named {@code name}, {@code [N·T', C, H, W]}
     */
    String temporalPool(String name, String x, long segments) {
        String[] view = clips(name, x, segments);
        String flat = onnx.node("Reshape", onnx.fresh(name + ".flat"), List.of(view[1], onnx.int64(0, 1, segments,
                -1)));
        String pooled = onnx.node("MaxPool", onnx.fresh(name + ".pool"), List.of(flat), attr("kernel_shape", 3L, 1L),
                attr("strides", 2L, 1L), attr("pads", 1L, 0L, 1L, 0L));
        String outShape = onnx.node("Concat", onnx.fresh(name + ".outshape"), List.of(onnx.int64(-1), view[2]),
                attr("axis", 0L));
        return onnx.node("Reshape", name, List.of(pooled, outShape));
    }
}
