package io.github.tsm4j.models.onnx;

/**
 * How the offline temporal shift is written in the exported graph, with standard operators only (no custom op).
 * The activation {@code x [N·T, C, H, W]} is viewed as clips {@code [N, T, C, H, W]} ({@code Reshape} with a shape
 * computed from {@code Shape(x)}, so N·T, H and W stay dynamic); both forms compute exactly the shift of
 * {@link io.github.tsm4j.core.TemporalShift} (zeros at the clip ends).
 */
public enum OnnxShiftForm {
    /**
     * {@code Slice} the moved channel blocks one frame apart, {@code Pad} them with a zero frame, {@code Concat}
     * them with the unmoved channels: the form PyTorch's exporter produces for the official shift.
     */
    SLICE_CONCAT,
    /**
     * {@code Pad} the clip with a zero frame at each end, view it as {@code [N, (T+2)·C, H, W]} and {@code Gather}
     * the T·C output channels with one constant index table (one pass instead of three slices and a concat).
     */
    GATHER,
    /**
     * No clip view: each moved channel block is {@code Slice}d one frame along the N·T axis itself, {@code Pad}ded
     * with one zero frame and multiplied by a clip-boundary mask {@code [N·T, 1, 1, 1]} (zeros where the
     * neighbour frame belongs to another clip), then {@code Concat}enated on the channel axis with the unmoved
     * channels. Every tensor keeps the activation's N·T, H and W, so ONNX shape inference (and ONNX Runtime's
     * layout optimiser after it) sees that the shift preserves the shape.
     */
    FRAME_SLICE,
    /**
     * The moved channels travel as tensors of their own: every activation that reaches a shift is written by the
     * convolutions that produce it as separate channel ranges ({@code [0, fold)}, {@code [fold, 2·fold)}, the rest;
     * a convolution reading split input sums one convolution per range), so the shift moves only the fold channels
     * (as {@link #FRAME_SLICE} moves them) and passes the others on without a copy. The same weights, the same
     * function; the least data moved, and what ONNX Runtime runs fastest (docs/export.md). Only folds of a multiple
     * of 16 channels are cut out (ONNX Runtime's channel block); smaller ones (MobileNetV2's, ResNet's layer1.0)
     * are shifted as {@link #FRAME_SLICE}.
     */
    SPLIT_CHANNELS
}
