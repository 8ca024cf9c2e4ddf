package io.github.tsm4j.models.onnx;

/** Which network an ONNX export holds (metadata key {@value OnnxMetadata#KIND}). */
public enum OnnxModelKind {
    /** Clips {@code [N·T, 3, H, W]} → consensus logits {@code [N, K]}. */
    OFFLINE,
    /** One frame per stream {@code [B, 3, S, S]} plus the shift caches → logits {@code [B, K]} plus new caches. */
    ONLINE
}
