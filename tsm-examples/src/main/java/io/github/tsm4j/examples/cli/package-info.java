/**
 * Subcommands of the {@code tsm} command line: {@code demo} (TSN vs TSM on the synthetic temporal-order
 * dataset), {@code train} and {@code eval} with their progress bars and XChart plots; {@code predict},
 * {@code info} and {@code stream} on saved models; {@code import}, {@code extract-frames} and
 * {@code bench}. Each is a picocli {@code Callable<Integer>} registered in
 * {@link io.github.tsm4j.examples.TsmCli}; failures are exceptions with one-line messages (exit 1),
 * usage errors {@code ParameterException}s (exit 2).
 */
package io.github.tsm4j.examples.cli;
