/**
 * Subcommands of the {@code tsm} command line, among them the training and evaluation commands:
 * {@code demo} (TSN vs TSM on the synthetic temporal-order dataset), {@code train} and {@code eval},
 * with their progress bars and XChart plots.
 */
package io.github.tsm4j.examples.cli;
