package io.github.tsm4j.models.zoo;

/** How a checkpoint's frames were sampled in training and in its published test protocol. */
public enum Sampling {
    /** TSN segments: T frames spread evenly over the video. */
    UNIFORM,
    /** I3D/non-local dense sampling: T frames from a 64-frame window, several clips. */
    DENSE,
    /** One frame at a time (the online demo). */
    ONLINE
}
