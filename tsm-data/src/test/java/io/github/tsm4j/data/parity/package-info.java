/** Parity of tsm4j's clip pipeline with the official TSM test pipeline (fixtures made by PyTorch). */
package io.github.tsm4j.data.parity;
