/**
 * Frame sources for online recognition (tsm-core's {@link io.github.tsm4j.core.stream.FrameSource}): video files,
 * V4L2 cameras and network streams through FFmpeg, raw RGB24 frames from a byte stream; each frame preprocessed by
 * the clip pipeline's own transform ({@link io.github.tsm4j.data.stream.FramePreprocessor}).
 */
package io.github.tsm4j.data.stream;
