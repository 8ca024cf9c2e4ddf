/**
 * The temporal shift of TSM (Lin, Gan, Han, ICCV 2019, arXiv:1811.08383) on ND4J arrays:
 * {@link io.github.tsm4j.core.TemporalShift} (the one implementation, forward and adjoint, on
 * {@code [N·T, C, H, W]} / {@code [N·T, H, W, C]}), {@link io.github.tsm4j.core.OnlineShift} (streaming
 * state of one shifted layer), the choices {@link io.github.tsm4j.core.ShiftDirection} and
 * {@link io.github.tsm4j.core.ConsensusMode}, and {@link io.github.tsm4j.core.InputSpec}. DL4J layers
 * are in {@link io.github.tsm4j.core.layers}.
 */
package io.github.tsm4j.core;
