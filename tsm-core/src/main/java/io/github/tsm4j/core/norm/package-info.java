/**
 * BatchNorm that runs libnd4j's own {@code batchnorm} op (oneDNN in the {@code nd4j-native} onednn builds) plus
 * BLAS reductions, instead of DL4J 1.0.0-M2.1's {@code BatchNormalization}, whose forward and backward passes are
 * chains of generic broadcast and strided-reduction ops. Layouts NCHW {@code [N, C, H, W]} or NHWC
 * {@code [N, H, W, C]}. See {@link io.github.tsm4j.core.norm.NativeBatchNorm}.
 */
package io.github.tsm4j.core.norm;
