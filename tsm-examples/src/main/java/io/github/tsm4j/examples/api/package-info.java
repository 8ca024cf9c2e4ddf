/**
 * Short programs a user copies to call the libraries directly (no CLI): each a {@code final} class whose {@code main}
 * calls {@code run(…)}, which returns a result; each uses only the library (tsm-models, tsm-data, tsm-core and an
 * ND4J backend), nothing else from tsm-examples; tests run them on tiny generated data, and the docs show them.
 * <ul>
 *   <li>{@link io.github.tsm4j.examples.api.ClassifyVideo}: load a model zip, classify a video file, print the top 5;</li>
 *   <li>{@link io.github.tsm4j.examples.api.StreamVideo}: stream a video file as if it were live and print label
 *       changes;</li>
 *   <li>{@link io.github.tsm4j.examples.api.ShiftInYourOwnGraph}: insert {@code TemporalShiftLayer} into one's own
 *       {@code ComputationGraph} and fit one step;</li>
 *   <li>{@link io.github.tsm4j.examples.api.TrainOneEpoch}: train with the library's {@code Trainer} and load the
 *       checkpoint with {@code TsmModel.load}.</li>
 * </ul>
 */
package io.github.tsm4j.examples.api;
