/**
 * Subcommands of the {@code tsm} command line that use trained models: {@code predict}, {@code info}
 * and {@code stream}. Each is a picocli {@code Callable<Integer>} registered in
 * {@link io.github.tsm4j.examples.TsmCli}; failures are exceptions with one-line messages.
 */
package io.github.tsm4j.examples.cli;
