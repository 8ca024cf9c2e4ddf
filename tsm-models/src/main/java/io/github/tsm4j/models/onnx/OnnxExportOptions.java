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
 * @param dynamicSize offline only: whether the frame size is a dynamic dimension ({@code height}, {@code width}:
 *     any size, e.g. the full-resolution protocol's scaleSize) or fixed at the model's cropSize. ONNX Runtime
 *     optimises a fixed size better (it can prove that residual additions add equal shapes and fuses them into the
 *     convolutions); the online input is always fixed
 * @param frames the first input dimension, N·T offline or B online, fixed at this value, or 0 for a dynamic
 *     dimension ({@code frames} / {@code streams}; the default). Fixed, ONNX Runtime knows every shape and fuses
 *     more (the engines export one model per input shape they see)
 */
public record OnnxExportOptions(OnnxModelKind kind, int opset, OnnxShiftForm shiftForm, boolean dynamicSize,
        long frames) {

    /** Lowest supported opset (Slice/Pad/Clip/Unsqueeze with tensor inputs). */
    public static final int MIN_OPSET = 13;
    /** Highest supported opset (ONNX 1.16, IR version 10; the newest ONNX Runtime 1.20 runs). */
    public static final int MAX_OPSET = 21;
    /** Default opset (ONNX 1.12, ONNX Runtime ≥ 1.12, TensorRT 8.6+, onnxruntime-mobile). */
    public static final int DEFAULT_OPSET = 17;
    /** Default offline shift form (the cheapest measured in ONNX Runtime, docs/export.md). */
    public static final OnnxShiftForm DEFAULT_SHIFT_FORM = OnnxShiftForm.SPLIT_CHANNELS;

    public OnnxExportOptions {
        Objects.requireNonNull(kind, "OnnxExportOptions.kind");
        Objects.requireNonNull(shiftForm, "OnnxExportOptions.shiftForm");
        if (frames < 0) {
            throw new IllegalArgumentException("OnnxExportOptions.frames must be >= 0 (0 = dynamic), found " + frames);
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("OnnxExportOptions.opset must be in [" + MIN_OPSET + ", " + MAX_OPSET
                    + "], found " + opset);
        }
    }

    /** @return the offline network, default opset and shift form */
    public static OnnxExportOptions offline() {
        return new OnnxExportOptions(OnnxModelKind.OFFLINE, DEFAULT_OPSET, DEFAULT_SHIFT_FORM, false, 0);
    }

    /** @return the online network, default opset */
    public static OnnxExportOptions online() {
        return new OnnxExportOptions(OnnxModelKind.ONLINE, DEFAULT_OPSET, DEFAULT_SHIFT_FORM, false, 0);
    }

    /** @param newOpset the opset @return a copy with it */
    public OnnxExportOptions withOpset(int newOpset) {
        return new OnnxExportOptions(kind, newOpset, shiftForm, dynamicSize, frames);
    }

    /** @param form the shift form @return a copy with it */
    public OnnxExportOptions withShiftForm(OnnxShiftForm form) {
        return new OnnxExportOptions(kind, opset, form, dynamicSize, frames);
    }

    /** @param dynamic whether the frame size is dynamic @return a copy with it */
    public OnnxExportOptions withDynamicSize(boolean dynamic) {
        return new OnnxExportOptions(kind, opset, shiftForm, dynamic, frames);
    }

    /** @param n N·T (offline) or B (online) to fix, 0 for dynamic @return a copy with it */
    public OnnxExportOptions withFrames(long n) {
        return new OnnxExportOptions(kind, opset, shiftForm, dynamicSize, n);
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
