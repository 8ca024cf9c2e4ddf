/**
 * Engines: what runs a network for the recognizers. {@link io.github.tsm4j.models.engine.ClipEngine} runs the
 * offline network (clips {@code [N·T, 3, H, W]} in, consensus logits {@code [N, K]} out);
 * {@link io.github.tsm4j.models.engine.FrameEngine} runs the online network for B streams (one frame per stream in,
 * per-frame logits out, the temporal shift caches kept inside). tsm4j's own ND4J engine is the default
 * ({@link io.github.tsm4j.models.engine.Engines}); ONNX Runtime is an optional second one.
 */
package io.github.tsm4j.models.engine;
