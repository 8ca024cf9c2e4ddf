/**
 * tsm-data's implementation of tsm-core's {@link io.github.tsm4j.core.clip.ClipDecoder}: the one clip pipeline
 * (decode, sample, scale, crop, normalise) behind the recognizers, registered for {@link java.util.ServiceLoader}.
 */
package io.github.tsm4j.data.clip;
