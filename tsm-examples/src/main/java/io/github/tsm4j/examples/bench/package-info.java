/**
 * Benchmarks behind {@code tsm bench}: timing helpers (warm-up, then medians of at least 10 runs), machine and
 * settings description, and the workloads (shift op, native vs stock convolutions, TSM/TSN ResNet-50, online
 * MobileNetV2, one training step), all printed in one report.
 */
package io.github.tsm4j.examples.bench;
