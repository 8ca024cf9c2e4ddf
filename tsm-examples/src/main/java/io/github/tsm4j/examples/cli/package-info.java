/** The {@code tsm} subcommands (picocli), one class per command. */
package io.github.tsm4j.examples.cli;
