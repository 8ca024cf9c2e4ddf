package io.github.tsm4j.core.clip;

/** How frames of a clip are picked (the official TSM {@code TSNDataSet} modes). */
public enum SamplingMode {
    /** TSN: T equal segments; training takes a random frame in each, testing the segment centres. */
    UNIFORM,
    /** I3D-style: a 64-frame window with stride 64/T; one random window in training, 10 at test. */
    DENSE,
    /** Test-time: two uniform clips, at the segment centres and at the segment starts. Trains as UNIFORM. */
    TWICE
}
