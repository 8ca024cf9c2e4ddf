/**
 * What {@code tsm stream} adds around the library's {@link io.github.tsm4j.models.recognize.StreamRecognizer}: the
 * annotated-video writer and the confidence timeline (XChart). Frame sources live in tsm-data
 * ({@code io.github.tsm4j.data.stream}), the recognizer, smoothing and latency statistics in tsm-models.
 */
package io.github.tsm4j.examples.stream;
