/**
 * The {@code tsm} subcommands for training and evaluation: {@code demo} (TSN vs TSM on the synthetic
 * temporal-order dataset), {@code train} and {@code eval}, with their progress bars and XChart plots.
 */
package io.github.tsm4j.examples.cli;
