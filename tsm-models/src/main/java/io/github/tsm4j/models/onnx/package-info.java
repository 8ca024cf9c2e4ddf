/**
 * ONNX export of TSM networks and ONNX Runtime as an optional engine.
 *
 * <p>{@link io.github.tsm4j.models.onnx.OnnxExporter} writes a {@code TsmModel} as a standard ONNX graph: the
 * offline network (clips {@code [N·T, 3, H, W]} → consensus logits {@code [N, K]}) or the online one (one frame per
 * stream {@code [B, 3, S, S]} plus every shift cache as an explicit input and output → logits {@code [B, K]} plus
 * the new caches), BatchNorm folded, the shift as standard operators, the labels and input spec in
 * {@code metadata_props} ({@link io.github.tsm4j.models.onnx.OnnxMetadata}).
 *
 * <p>{@link io.github.tsm4j.models.onnx.OrtEngines} runs such a model with ONNX Runtime behind the
 * {@link io.github.tsm4j.models.engine.ClipEngine} / {@link io.github.tsm4j.models.engine.FrameEngine} interfaces.
 * ONNX Runtime is an optional dependency of tsm-models: only the {@code Ort*} classes touch it, and only after
 * {@link io.github.tsm4j.models.onnx.OrtEngines#available()} found it; the exporter never needs it.
 * See docs/export.md.
 */
package io.github.tsm4j.models.onnx;
