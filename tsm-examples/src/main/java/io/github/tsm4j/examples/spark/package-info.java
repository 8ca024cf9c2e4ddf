/**
 * Distributed training on Apache Spark with DL4J's Spark training masters ({@code SharedTrainingMaster}:
 * threshold-encoded gradient sharing; {@code ParameterAveragingTrainingMaster}: synchronous parameter
 * averaging). The driver distributes annotation rows ({@link io.github.tsm4j.examples.spark.ClipRow}: id, path,
 * label); executors decode and augment their own clips ({@link io.github.tsm4j.examples.spark.ClipDecodeFunction});
 * {@link io.github.tsm4j.examples.spark.SparkEpochFitter} fits each epoch on the cluster while
 * tsm-models' {@code Trainer} keeps recipe, evaluation, checkpoints and log on the driver, exactly as in
 * single-machine training. Spark is a
 * dependency of tsm-examples only; see docs/distributed.md.
 */
package io.github.tsm4j.examples.spark;
