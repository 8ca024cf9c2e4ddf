package io.github.tsm4j.data.iterator;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One video's clip for inference.
 *
 * @param id the video id
 * @param label the class id, or {@link io.github.tsm4j.data.dataset.VideoSample#UNLABELLED}
 * @param features {@code [V·T, 3, cropSize, cropSize]} float32 NCHW, V views (clips × crops) of T frames
 *     each, view after view
 */
public record LabelledClip(String id, int label, INDArray features) {}
