/**
 * Training-time layers that run libnd4j's own ops (oneDNN in the {@code nd4j-native} onednn builds) plus BLAS
 * reductions instead of DL4J 1.0.0-M2.1's generic op chains: {@link io.github.tsm4j.core.norm.NativeBatchNorm}
 * (BatchNorm with an optional fused ReLU/ReLU6; a subclass of DL4J's {@code BatchNormalization} with the same
 * parameters) and {@link io.github.tsm4j.core.norm.NativeActivation} (a one-pass ReLU/ReLU6 layer). Layouts NCHW
 * {@code [N, C, H, W]} or NHWC {@code [N, H, W, C]}.
 */
package io.github.tsm4j.core.norm;
