/**
 * Apache Spark jobs (Spark is a dependency of tsm-examples only; see docs/distributed.md).
 *
 * <p><b>Distributed recognition</b>: {@link io.github.tsm4j.examples.spark.SparkRecognition#classify} maps an RDD
 * of videos (local paths or Hadoop URIs) to {@link io.github.tsm4j.examples.spark.VideoRow}s with tsm-models'
 * {@code VideoRecognizer} on the executors (the model zip shipped once with {@code addFile}, loaded once per
 * executor JVM by {@link io.github.tsm4j.examples.spark.ExecutorModels}, keyed by its SHA-256);
 * {@link io.github.tsm4j.examples.spark.BatchRecognition} runs it over a list into a resumable result file
 * ({@link io.github.tsm4j.examples.spark.ResultFiles}: atomic per-partition part files, merged at the end).
 *
 * <p><b>Distributed training</b> with DL4J's Spark training masters ({@code SharedTrainingMaster}:
 * threshold-encoded gradient sharing; {@code ParameterAveragingTrainingMaster}: synchronous parameter
 * averaging). The driver distributes annotation rows ({@link io.github.tsm4j.examples.spark.ClipRow}: id, path,
 * label); executors decode and augment their own clips ({@link io.github.tsm4j.examples.spark.ClipDecodeFunction});
 * {@link io.github.tsm4j.examples.spark.SparkEpochFitter} fits each epoch on the cluster while
 * tsm-models' {@code Trainer} keeps recipe, evaluation, checkpoints and log on the driver, exactly as in
 * single-machine training.
 */
package io.github.tsm4j.examples.spark;
