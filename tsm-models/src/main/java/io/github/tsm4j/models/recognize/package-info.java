/**
 * The application API: video in, labels out ({@link io.github.tsm4j.models.recognize.VideoRecognizer}); live frames
 * in, events out ({@link io.github.tsm4j.models.recognize.StreamRecognizer}). Both take a
 * {@link io.github.tsm4j.models.TsmModel}, an options record and an engine
 * ({@link io.github.tsm4j.models.engine.EngineKind}); decoding comes from tsm-data through tsm-core's
 * {@link io.github.tsm4j.core.clip.ClipDecoder} and {@link io.github.tsm4j.core.stream.FrameSource}, so this
 * package never decodes and needs only tsm-models, tsm-data and an ND4J backend on the class path.
 */
package io.github.tsm4j.models.recognize;
