/**
 * Benchmarks: {@link io.github.tsm4j.examples.bench.ShiftBenchmark} (JMH) and
 * {@link io.github.tsm4j.examples.bench.ShiftBench} (a plain, callable measurement of the temporal shift
 * against a same-size copy, used by {@code tsm bench}).
 */
package io.github.tsm4j.examples.bench;
