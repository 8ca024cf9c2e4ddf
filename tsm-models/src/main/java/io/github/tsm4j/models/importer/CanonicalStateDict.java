package io.github.tsm4j.models.importer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A state dict renamed to torchvision module paths, the names of tsm-models' DL4J layers
 * ({@code conv1.weight}, {@code layer1.0.bn1.running_var}, {@code features.3.conv.0.0.weight},
 * {@code fc.weight}), with what the {@code .net} wrappers said about the shift.
 *
 * @param tensors torchvision-style key to tensor, in file order
 * @param originalKeys torchvision-style key to the checkpoint's key
 * @param residualShifts blocks whose first conv is wrapped ({@code layer1.0}, {@code features.3})
 * @param inPlaceShifts blocks wrapped as a whole ({@code layer1.0})
 * @param temporalPool whether {@code layer2} is wrapped (official temporal pooling)
 */
record CanonicalStateDict(Map<String, TorchTensor> tensors, Map<String, String> originalKeys,
        Set<String> residualShifts, Set<String> inPlaceShifts, boolean temporalPool) {

    private static final Pattern BLOCK = Pattern.compile("layer[1-4]\\.\\d+");
    private static final Pattern BLOCK_CONV1 = Pattern.compile("(layer[1-4]\\.\\d+)\\.conv1(\\.conv)?");
    private static final Pattern MBV2_CONV0 = Pattern.compile("(features\\.\\d+)\\.conv\\.0");
    private static final Pattern FLAT_MBV2 = Pattern.compile("features\\.(\\d+)\\.conv\\.(\\d+)\\.(.+)");
    private static final Pattern MM_BLOCK_CONV = Pattern.compile("(layer[1-4]\\.\\d+)\\.conv([123])\\.(conv|bn)\\.(.+)");

    /**
     * Renames a state dict of the given layout.
     *
     * @param layout the key layout
     * @param stateDict keys as in the checkpoint (without {@code module.})
     * @return the renamed state dict
     * @throws IllegalArgumentException for a {@code .net} wrapper at a place no TSM variant wraps
     */
    static CanonicalStateDict of(KeyLayout layout, Map<String, TorchTensor> stateDict) {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        Map<String, String> original = new LinkedHashMap<>();
        Set<String> residual = new TreeSet<>();
        Set<String> inPlace = new TreeSet<>();
        boolean tpool = false;
        boolean hasNewFc = stateDict.keySet().stream().anyMatch(k -> k.startsWith("new_fc."));
        boolean flatMbv2 = switch (layout) {
            case OFFICIAL_TSM -> stateDict.containsKey("base_model.features.0.0.weight")
                    && stateDict.keySet().stream().noneMatch(k -> k.matches("base_model\\.features\\.1\\.conv\\.0\\.0\\.weight"));
            case ONLINE_DEMO -> true;
            case TORCHVISION, MMACTION2 -> false;
        };
        Set<String> expanding = new TreeSet<>();
        for (String key : stateDict.keySet()) {
            Matcher m = Pattern.compile("(?:base_model\\.)?(features\\.\\d+)\\.conv\\.(?:6|6\\.net)\\.weight").matcher(key);
            if (m.matches()) {
                expanding.add(m.group(1));
            }
        }
        for (Map.Entry<String, TorchTensor> e : stateDict.entrySet()) {
            String key = e.getKey();
            String k = switch (layout) {
                case OFFICIAL_TSM -> {
                    if (key.startsWith("new_fc.")) {
                        yield "fc." + key.substring("new_fc.".length());
                    }
                    String s = key.startsWith("base_model.") ? key.substring("base_model.".length()) : key;
                    if (!hasNewFc && (s.startsWith("classifier.") || s.startsWith("fc."))) {
                        yield "fc." + s.substring(s.indexOf('.') + 1);
                    }
                    yield s;
                }
                case ONLINE_DEMO -> key.startsWith("classifier.") ? "fc." + key.substring("classifier.".length()) : key;
                case TORCHVISION -> key.startsWith("classifier.1.") ? "fc." + key.substring("classifier.1.".length()) : key;
                case MMACTION2 -> {
                    if (key.startsWith("cls_head.fc_cls.")) {
                        yield "fc." + key.substring("cls_head.fc_cls.".length());
                    }
                    yield key.startsWith("backbone.") ? key.substring("backbone.".length()) : key;
                }
            };
            // remove .net wrappers, remembering what they wrapped
            List<String> kept = new ArrayList<>();
            for (String seg : k.split("\\.")) {
                if (!seg.equals("net")) {
                    kept.add(seg);
                    continue;
                }
                String wrapped = String.join(".", kept);
                Matcher conv1 = BLOCK_CONV1.matcher(wrapped);
                Matcher mb = MBV2_CONV0.matcher(wrapped);
                if (wrapped.equals("layer2")) {
                    tpool = true;
                } else if (BLOCK.matcher(wrapped).matches()) {
                    inPlace.add(wrapped);
                } else if (conv1.matches()) {
                    residual.add(conv1.group(1));
                } else if (mb.matches()) {
                    residual.add(mb.group(1));
                } else {
                    throw new IllegalArgumentException("checkpoint key '" + key + "' wraps '" + wrapped
                            + "' in a .net (shift/pool) module, which no TSM variant does");
                }
            }
            k = String.join(".", kept);
            if (layout == KeyLayout.MMACTION2) {
                k = mmaction2ToTorchvision(k);
            }
            if (flatMbv2) {
                k = flatToTorchvision(k, expanding);
            }
            if (tensors.put(k, e.getValue()) != null) {
                throw new IllegalArgumentException("checkpoint keys '" + original.get(k) + "' and '" + key
                        + "' both map to '" + k + "'");
            }
            original.put(k, key);
        }
        return new CanonicalStateDict(tensors, original, residual, inPlace, tpool);
    }

    /** mmaction2 ConvModules ({@code conv}/{@code bn} inside {@code conv1}, {@code downsample}) to torchvision names. */
    private static String mmaction2ToTorchvision(String k) {
        if (k.startsWith("conv1.conv.")) {
            return "conv1." + k.substring("conv1.conv.".length());
        }
        if (k.startsWith("conv1.bn.")) {
            return "bn1." + k.substring("conv1.bn.".length());
        }
        Matcher m = MM_BLOCK_CONV.matcher(k);
        if (m.matches()) {
            return m.group(1) + "." + (m.group(3).equals("conv") ? "conv" : "bn") + m.group(2) + "." + m.group(4);
        }
        return k.replace(".downsample.conv.", ".downsample.0.").replace(".downsample.bn.", ".downsample.1.");
    }

    /**
     * The flat MobileNetV2 blocks of the official code ({@code conv.0..7}: pw, BN, ReLU6, dw, BN, ReLU6, pw-linear,
     * BN; t = 1: {@code conv.0..4}: dw, BN, ReLU6, pw-linear, BN) to torchvision's nesting.
     */
    private static String flatToTorchvision(String k, Set<String> expanding) {
        Matcher m = FLAT_MBV2.matcher(k);
        if (!m.matches()) {
            return k;
        }
        String block = "features." + m.group(1);
        int i = Integer.parseInt(m.group(2));
        String[] map = expanding.contains(block)
                ? new String[] {"0.0", "0.1", null, "1.0", "1.1", null, "2", "3"}
                : new String[] {"0.0", "0.1", null, "1", "2"};
        if (i >= map.length || map[i] == null) {
            return k;
        }
        return block + ".conv." + map[i] + "." + m.group(3);
    }
}
