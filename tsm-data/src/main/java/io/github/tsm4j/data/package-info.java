/**
 * tsm4j data: from a video file or a folder of extracted frames to a normalised clip batch.
 *
 * <p>Subpackages: {@code image} (RGB frames and OpenCV resizing), {@code video} (JavaCV/FFmpeg and
 * frame-folder readers), {@code sampling} (TSN segment sampling), {@code transform} (group
 * augmentation and normalisation to {@code [N·T, 3, H, W]}), {@code dataset} (annotation readers of
 * the standard datasets), {@code iterator} (DL4J {@code DataSetIterator} with background decoding) and
 * {@code synthetic} (the temporal-order dataset).
 */
package io.github.tsm4j.data;
