/**
 * What the offline recognizer (tsm-models) and the video decoding (tsm-data) share: how clips are sampled
 * ({@link io.github.tsm4j.core.clip.SamplingMode}) and cropped ({@link io.github.tsm4j.core.clip.TestCrop}), a
 * request for one video's test views ({@link io.github.tsm4j.core.clip.ClipRequest}), the decoded result
 * ({@link io.github.tsm4j.core.clip.DecodedClip}) and the decoder interface
 * ({@link io.github.tsm4j.core.clip.ClipDecoder}) that tsm-data implements and registers as a
 * {@link java.util.ServiceLoader} service, so that tsm-models never decodes and tsm-data never runs a model.
 */
package io.github.tsm4j.core.clip;
