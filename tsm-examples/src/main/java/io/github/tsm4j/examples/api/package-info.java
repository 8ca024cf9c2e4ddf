/**
 * Short programs a user copies: each uses only the library (tsm-models, tsm-data, tsm-core and an ND4J backend),
 * nothing else from tsm-examples, and is run by the test suite on a tiny model ({@code ApiExamplesTest}).
 * <ul>
 *   <li>{@link io.github.tsm4j.examples.api.ClassifyVideo}: load a model zip, classify a video file, print the top 5;</li>
 *   <li>{@link io.github.tsm4j.examples.api.StreamVideo}: stream a video file as if it were live and print label
 *       changes;</li>
 *   <li>{@link io.github.tsm4j.examples.api.ShiftInYourOwnGraph}: insert {@code TemporalShiftLayer} into one's own
 *       {@code ComputationGraph} and fit one step.</li>
 * </ul>
 */
package io.github.tsm4j.examples.api;
