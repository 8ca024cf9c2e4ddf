/**
 * DL4J configuration classes of tsm4j's layers (thin adapters over {@link io.github.tsm4j.core}):
 * {@link io.github.tsm4j.core.layers.TemporalShiftLayer}, {@link io.github.tsm4j.core.layers.TemporalPoolLayer},
 * {@link io.github.tsm4j.core.layers.SegmentConsensusLayer}, {@link io.github.tsm4j.core.layers.OnlineShiftLayer},
 * and the graph vertex {@link io.github.tsm4j.core.layers.ResidualAdd} (a residual block's sum).
 * The layers are parameter-free native layers ({@code NoParamLayer}) usable in {@code ComputationGraph} and
 * {@code MultiLayerNetwork}; they serialise through DL4J's Jackson mapper without registration.
 * Their runtimes live in {@link io.github.tsm4j.core.layers.runtime}.
 */
package io.github.tsm4j.core.layers;
