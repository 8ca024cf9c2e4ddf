/**
 * Short programs a user copies to call the libraries directly (no CLI): each a {@code final} class whose
 * {@code main} calls {@code run(options)}, which returns a result; tests run them on tiny generated data, and the
 * docs show them verbatim.
 */
package io.github.tsm4j.examples.api;
