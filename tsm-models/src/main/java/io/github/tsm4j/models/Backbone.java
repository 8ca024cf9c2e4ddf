package io.github.tsm4j.models;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The 2D backbones a TSM network is built on, each exactly as torchvision defines it (layer for layer,
 * so torchvision and official TSM checkpoints map onto it by name).
 *
 * <p>ResNets are table-driven: a block type ({@linkplain #bottleneck() BasicBlock or Bottleneck}, the
 * stride on the 3×3 conv as in torchvision "ResNet v1.5") and the number of blocks in each of the four
 * stages {@code layer1..layer4}. MobileNetV2 is torchvision's (width 1.0, ReLU6, 17 inverted residual
 * blocks {@code features.1..features.17}).
 */
public enum Backbone {
    /** ResNet-18: BasicBlock, 2-2-2-2; 11,689,512 parameters with 1000 classes. */
    RESNET18("resnet18", true, false, 2, 2, 2, 2),
    /** ResNet-34: BasicBlock, 3-4-6-3. */
    RESNET34("resnet34", true, false, 3, 4, 6, 3),
    /** ResNet-50: Bottleneck, 3-4-6-3; 25,557,032 parameters with 1000 classes. */
    RESNET50("resnet50", true, true, 3, 4, 6, 3),
    /** ResNet-101: Bottleneck, 3-4-23-3; 44,549,160 parameters with 1000 classes. */
    RESNET101("resnet101", true, true, 3, 4, 23, 3),
    /** ResNet-152: Bottleneck, 3-8-36-3. */
    RESNET152("resnet152", true, true, 3, 8, 36, 3),
    /** MobileNetV2 (width 1.0): 3,504,872 parameters with 1000 classes. */
    MOBILENET_V2("mobilenetv2", false, false);

    /** Output channels of MobileNetV2's last 1×1 conv ({@code features.18}). */
    static final int MOBILENET_V2_FEATURES = 1280;

    private final String archName;
    private final boolean resNet;
    private final boolean bottleneck;
    private final int[] blocksPerStage;

    Backbone(String archName, boolean resNet, boolean bottleneck, int... blocksPerStage) {
        this.archName = archName;
        this.resNet = resNet;
        this.bottleneck = bottleneck;
        this.blocksPerStage = blocksPerStage;
    }

    /** @return the architecture name used by torchvision and the official TSM code ({@code resnet50}, {@code mobilenetv2}) */
    public String archName() {
        return archName;
    }

    /** @return true for the ResNet family */
    public boolean isResNet() {
        return resNet;
    }

    /** @return true when the blocks are Bottlenecks (expansion 4), false for BasicBlocks or MobileNetV2 */
    public boolean bottleneck() {
        return bottleneck;
    }

    /** @return blocks in layer1..layer4 (a copy; empty for MobileNetV2) */
    public int[] blocksPerStage() {
        return blocksPerStage.clone();
    }

    /**
     * Channels of the pooled feature vector that feeds the classifier {@code fc}.
     *
     * @param baseWidth ResNet stem width (64 in torchvision); ignored for MobileNetV2
     * @return 512·baseWidth/64 (BasicBlock), 2048·baseWidth/64 (Bottleneck) or 1280 (MobileNetV2)
     */
    public int featureChannels(int baseWidth) {
        if (!resNet) {
            return MOBILENET_V2_FEATURES;
        }
        return baseWidth * 8 * (bottleneck ? 4 : 1);
    }

    /**
     * Looks a backbone up by its architecture name ({@code resnet50}, {@code mobilenetv2}, also
     * {@code mobilenet_v2}) or its enum name, case-insensitively.
     *
     * @param name the name
     * @return the backbone
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Backbone fromName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (Backbone b : values()) {
            if (b.archName.equals(n) || b.name().toLowerCase(Locale.ROOT).replace("_", "").equals(n)) {
                return b;
            }
        }
        throw new IllegalArgumentException("Unknown backbone '" + name + "', expected one of "
                + Arrays.stream(values()).map(Backbone::archName).collect(Collectors.joining(", ")));
    }
}
