/**
 * A synthetic dataset whose classes differ only in temporal order, written as real webm clips with
 * Something-Something V2 annotation files: a frame-level model (TSN) cannot beat chance on it, a
 * temporal model (TSM) can.
 */
package io.github.tsm4j.data.synthetic;
