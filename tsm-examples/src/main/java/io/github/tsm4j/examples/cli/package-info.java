/**
 * Subcommands of the {@code tsm} command line. Each is a picocli {@code Callable<Integer>} registered in
 * {@link io.github.tsm4j.examples.TsmCli}; failures are exceptions with one-line messages (exit 1),
 * usage errors {@code ParameterException}s (exit 2).
 */
package io.github.tsm4j.examples.cli;
