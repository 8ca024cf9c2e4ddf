package io.github.tsm4j.core;

/**
 * Which way the temporal shift moves channels (Lin, Gan, Han, "TSM: Temporal Shift Module for
 * Efficient Video Understanding", ICCV 2019, Section 3). With {@code fold = C / foldDiv}:
 *
 * <ul>
 *   <li>{@link #BIDIRECTIONAL}: the offline shift in the official ordering, so that imported
 *       checkpoints work. Channels {@code [0, fold)} at frame t take frame t+1 (zeros at the last
 *       frame), channels {@code [fold, 2·fold)} take frame t−1 (zeros at the first frame), the rest
 *       pass unchanged.
 *   <li>{@link #UNIDIRECTIONAL}: for models that run online. Channels {@code [0, fold)} take frame
 *       t−1 (zeros at the first frame), the rest pass unchanged. This is exactly what
 *       {@link OnlineShift} computes one frame at a time.
 * </ul>
 */
public enum ShiftDirection {
    /** Past and future: {@code [0, fold)} from t+1, {@code [fold, 2·fold)} from t−1. */
    BIDIRECTIONAL,
    /** Past only: {@code [0, fold)} from t−1. */
    UNIDIRECTIONAL
}
