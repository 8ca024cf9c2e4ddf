/**
 * Online (streaming) TSM, frame by frame: frame sources (video file, camera, raw RGB on stdin), a
 * decoder thread that runs ahead of inference through a bounded queue, per-frame preprocessing to the
 * model's {@link io.github.tsm4j.core.InputSpec}, the official gesture demo's history smoothing,
 * latency statistics, the annotated-video writer and the confidence timeline.
 *
 * <p>Everything here talks to the network through the small {@link io.github.tsm4j.examples.stream.FrameModel}
 * interface: one instance per source, so the temporal-shift caches of concurrent streams never mix.
 */
package io.github.tsm4j.examples.stream;
