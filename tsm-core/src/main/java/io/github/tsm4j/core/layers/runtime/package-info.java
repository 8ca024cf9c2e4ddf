/**
 * Runtime implementations of the layers in {@link io.github.tsm4j.core.layers} (DL4J
 * {@code AbstractLayer}s with hand-written {@code activate}/{@code backpropGradient}). Outputs and
 * gradients are arrays of the {@code LayerWorkspaceMgr} (ACTIVATIONS / ACTIVATION_GRAD).
 * {@link io.github.tsm4j.core.layers.runtime.OnlineShiftLayerImpl} is the one to cast to when driving
 * a streaming model ({@code resetState()}, {@code resetStream(int)}).
 */
package io.github.tsm4j.core.layers.runtime;
