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
    GATHER
}
