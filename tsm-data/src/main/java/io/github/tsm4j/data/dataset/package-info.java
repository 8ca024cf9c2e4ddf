/**
 * Datasets read from their native annotation files: Something-Something V1/V2, Jester, Kinetics-400,
 * UCF101, HMDB51 and the official TSM list file. Each reader returns a {@link
 * io.github.tsm4j.data.dataset.VideoDataset}: class names in id order plus samples (video file or frame
 * folder, label id, id string). Malformed files raise {@link io.github.tsm4j.data.dataset.AnnotationException}
 * naming the file and line.
 */
package io.github.tsm4j.data.dataset;
