/**
 * Numerical parity of imported PyTorch checkpoints: {@link io.github.tsm4j.examples.parity.ImportParity} runs the
 * clips saved by {@code scripts/make_import_fixtures.py} through the imported models and reports max |Δlogit|
 * against PyTorch ({@code scripts/parity_full.sh} does it at full size).
 */
package io.github.tsm4j.examples.parity;
