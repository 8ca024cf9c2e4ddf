/** Subcommands of the {@code tsm} command line. */
package io.github.tsm4j.examples.cli;
