/**
 * Group transforms (one geometry for every frame of a clip) as the official TSM code applies them, and
 * the conversion of clips to normalised {@code [N·T, 3, H, W]} float tensors.
 */
package io.github.tsm4j.data.transform;
