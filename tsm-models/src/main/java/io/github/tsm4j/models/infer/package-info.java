/**
 * Inference-only transformations of trained networks: BatchNorm folded into the preceding convolution (with a
 * bias), ReLU/ReLU6 fused into it, every convolution run by the native oneDNN-backed layers of
 * {@link io.github.tsm4j.core.conv}.
 */
package io.github.tsm4j.models.infer;
