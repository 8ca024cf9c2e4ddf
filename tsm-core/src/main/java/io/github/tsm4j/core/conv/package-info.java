/**
 * Convolutions that run libnd4j's own {@code conv2d} / {@code depthwise_conv2d} ops directly, so that the
 * {@code nd4j-native} oneDNN build executes them in oneDNN (DL4J 1.0.0-M2.1's stock convolution layers never do:
 * their helpers are disabled). Layouts NCHW {@code [N, C, H, W]} or NHWC {@code [N, H, W, C]}; weights in
 * PyTorch layout. See {@link io.github.tsm4j.core.conv.NativeConv2D} and
 * {@link io.github.tsm4j.core.conv.NativeDepthwiseConv2D}.
 */
package io.github.tsm4j.core.conv;
