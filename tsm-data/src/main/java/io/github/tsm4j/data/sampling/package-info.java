/** TSN segment sampling as the official TSM code does it (uniform, dense, twice), with 0-based frame indices. */
package io.github.tsm4j.data.sampling;
