package io.github.tsm4j.models.onnx;

import java.util.Objects;

/**
 * What {@link OnnxExporter} writes.
 *
 * @param kind the offline (clip) network or the online (one frame per stream, caches as inputs/outputs) one
 * @param opset ONNX opset of the default domain, {@value #MIN_OPSET}…{@value #MAX_OPSET} (ONNX Runtime 1.20 runs
 *     all of them); {@value #DEFAULT_OPSET} by default
 * @param shiftForm how the offline shift is written (the online shift is always a {@code Concat} of the cache and
 *     the frame's other channels)
 */
public record OnnxExportOptions(OnnxModelKind kind, int opset, OnnxShiftForm shiftForm) {

    /** Lowest supported opset (Slice/Pad/Clip/Unsqueeze with tensor inputs). */
    public static final int MIN_OPSET = 13;
    /** Highest supported opset (ONNX 1.16, IR version 10; the newest ONNX Runtime 1.20 runs). */
    public static final int MAX_OPSET = 21;
    /** Default opset (ONNX 1.12, ONNX Runtime ≥ 1.12, TensorRT 8.6+, onnxruntime-mobile). */
    public static final int DEFAULT_OPSET = 17;

    public OnnxExportOptions {
        Objects.requireNonNull(kind, "OnnxExportOptions.kind");
        Objects.requireNonNull(shiftForm, "OnnxExportOptions.shiftForm");
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("OnnxExportOptions.opset must be in [" + MIN_OPSET + ", " + MAX_OPSET
                    + "], found " + opset);
        }
    }

    /** @return the offline network, default opset and shift form */
    public static OnnxExportOptions offline() {
        return new OnnxExportOptions(OnnxModelKind.OFFLINE, DEFAULT_OPSET, OnnxShiftForm.SLICE_CONCAT);
    }

    /** @return the online network, default opset */
    public static OnnxExportOptions online() {
        return new OnnxExportOptions(OnnxModelKind.ONLINE, DEFAULT_OPSET, OnnxShiftForm.SLICE_CONCAT);
    }

    /** @param newOpset the opset @return a copy with it */
    public OnnxExportOptions withOpset(int newOpset) {
        return new OnnxExportOptions(kind, newOpset, shiftForm);
    }

    /** @param form the shift form @return a copy with it */
    public OnnxExportOptions withShiftForm(OnnxShiftForm form) {
        return new OnnxExportOptions(kind, opset, form);
    }

    /** @return the ONNX IR version that goes with {@link #opset} */
    long irVersion() {
        return switch (opset) {
            case 13, 14 -> 7;
            case 15, 16, 17, 18 -> 8;
            case 19, 20 -> 9;
            default -> 10;
        };
    }
}
