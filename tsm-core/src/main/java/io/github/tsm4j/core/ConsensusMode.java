package io.github.tsm4j.core;

/**
 * How per-frame scores {@code [N·T, K]} of one clip are combined into clip scores {@code [N, K]}
 * (the TSN/TSM "segmental consensus").
 */
public enum ConsensusMode {
    /** Mean over the T frames of a clip (the official TSM head). */
    AVG,
    /** Maximum over the T frames; the gradient goes to the first frame holding the maximum. */
    MAX,
    /** No consensus: {@code [N·T, K]} passes through unchanged (per-frame scores). */
    IDENTITY
}
