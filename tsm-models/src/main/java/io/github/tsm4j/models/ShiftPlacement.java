package io.github.tsm4j.models;

/**
 * Where the temporal shift goes in a backbone (Lin et al., ICCV 2019, §3.3 and the official code's
 * {@code shift_place}).
 *
 * <ul>
 *   <li>{@link #NONE}: no shift, the TSN baseline.</li>
 *   <li>{@link #RESIDUAL} (official {@code blockres}, the default): the input of each block's first conv is
 *       shifted (ResNet: {@code conv1} of every BasicBlock/Bottleneck in layer1–4, downsampling blocks
 *       included), the shortcut gets the unshifted input. When layer3 has ≥ 23 blocks (ResNet-101/152) only
 *       the even-indexed blocks of each stage (0, 2, 4, …) are shifted, as in the official code.
 *       MobileNetV2: the input of {@code conv.0.0} (the 1×1 expansion) of the 10 inverted residual blocks
 *       with a residual connection, {@code features.3,5,6,8,9,10,12,13,15,16}.</li>
 *   <li>{@link #IN_PLACE} (official {@code block}): the block input is shifted for both the residual branch
 *       and the shortcut, in every block of layer1–4. ResNet only.</li>
 * </ul>
 */
public enum ShiftPlacement {
    /** No shift (TSN). */
    NONE,
    /** Shift on the residual branch only (official "blockres"). */
    RESIDUAL,
    /** Shift the whole block input, shortcut included (official "block"); ResNet only. */
    IN_PLACE
}
