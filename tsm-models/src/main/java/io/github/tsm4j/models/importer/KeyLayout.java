package io.github.tsm4j.models.importer;

import java.util.Collection;
import java.util.stream.Collectors;

/**
 * The key layouts of published TSM-related checkpoints, told apart by their keys.
 *
 * <ul>
 *   <li>{@link #OFFICIAL_TSM}: mit-han-lab/temporal-shift-module offline models: {@code base_model.*} (the
 *       torchvision ResNet names, or the flat MobileNetV2 layout {@code features.k.conv.i}) with shifted modules
 *       wrapped as {@code .net} ({@code layer1.0.conv1.net.weight}; in-place {@code layer1.0.net.conv1.weight};
 *       temporal pool {@code layer2.net.*}), head {@code new_fc.*}. TSN checkpoints have no {@code .net}.</li>
 *   <li>{@link #ONLINE_DEMO}: the online demo's {@code mobilenetv2_jester_online.pth.tar}: a bare state dict in
 *       the flat MobileNetV2 layout ({@code features.N.conv.K.*}, {@code classifier.*}), no {@code .net}.</li>
 *   <li>{@link #TORCHVISION}: torchvision ImageNet weights ({@code conv1}, {@code layer1.0.bn1}, {@code fc};
 *       MobileNetV2 {@code features.1.conv.0.0}, {@code classifier.1}).</li>
 *   <li>{@link #MMACTION2}: mmaction2 recognizers: {@code backbone.*} with ConvModules
 *       ({@code layer1.0.conv1.conv.weight}, {@code layer1.0.conv1.bn.*}, {@code downsample.conv}) and
 *       {@code cls_head.fc_cls.*}. ResNet backbones only.</li>
 * </ul>
 */
public enum KeyLayout {
    /** The official TSM offline checkpoints. */
    OFFICIAL_TSM,
    /** The official online demo checkpoint (flat MobileNetV2, bare state dict). */
    ONLINE_DEMO,
    /** torchvision ImageNet state dicts. */
    TORCHVISION,
    /** mmaction2 TSM/TSN recognizers. */
    MMACTION2;

    /**
     * Tells the layout from the state dict keys (after the {@code module.} prefix has been stripped).
     *
     * @param keys the state dict keys
     * @return the layout
     * @throws IllegalArgumentException if the keys match none of the layouts (the message lists some)
     */
    public static KeyLayout detect(Collection<String> keys) {
        if (keys.stream().anyMatch(k -> k.startsWith("backbone.") || k.startsWith("cls_head."))) {
            return MMACTION2;
        }
        if (keys.stream().anyMatch(k -> k.startsWith("base_model.") || k.startsWith("new_fc."))) {
            return OFFICIAL_TSM;
        }
        if (keys.contains("features.0.0.weight")) {
            return keys.stream().anyMatch(k -> k.matches("features\\.\\d+\\.conv\\.\\d+\\.\\d+\\.weight")) ? TORCHVISION : ONLINE_DEMO;
        }
        if (keys.contains("conv1.weight") && keys.stream().anyMatch(k -> k.startsWith("layer1."))) {
            return TORCHVISION;
        }
        throw new IllegalArgumentException("cannot tell the key layout (official TSM base_model./new_fc., online demo "
                + "features.N.conv.K, torchvision conv1/layer1/features, mmaction2 backbone./cls_head.) from keys "
                + keys.stream().limit(8).collect(Collectors.joining(", ", "[", keys.size() > 8 ? ", ...]" : "]")));
    }
}
