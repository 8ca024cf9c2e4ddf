/** Throughput measurements run by hand (not tests). */
package io.github.tsm4j.data.bench;
